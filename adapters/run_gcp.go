//go:build polyfn.gcp

package adapters

// The gcp adapter has not landed yet. Building with -tags polyfn.gcp stops
// here on purpose, with a compile error that names the reason.
var _ = polyfn_gcp_adapter_is_not_available_yet_build_without_the_polyfn_gcp_tag
