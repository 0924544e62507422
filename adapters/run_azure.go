//go:build polyfn.azure

package adapters

// The azure adapter has not landed yet. Building with -tags polyfn.azure stops
// here on purpose, with a compile error that names the reason.
var _ = polyfn_azure_adapter_is_not_available_yet_build_without_the_polyfn_azure_tag
