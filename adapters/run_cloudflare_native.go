//go:build polyfn.cloudflare && !(js && wasm)

package adapters

// The polyfn.cloudflare tag builds a WebAssembly module for Cloudflare
// Workers: build with GOOS=js GOARCH=wasm, or with
// polyfn build --provider cloudflare PKG.
var _ = polyfn_cloudflare_builds_for_GOOS_js_GOARCH_wasm_only_use_polyfn_build_provider_cloudflare
