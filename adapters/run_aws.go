//go:build polyfn.aws

package adapters

// The aws adapter has not landed yet. Building with -tags polyfn.aws stops
// here on purpose, with a compile error that names the reason.
var _ = polyfn_aws_adapter_is_not_available_yet_build_without_the_polyfn_aws_tag
