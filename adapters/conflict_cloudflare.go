//go:build polyfn.cloudflare && (polyfn.aws || polyfn.azure || polyfn.gcp || polyfn.gcpsource || polyfn.describe)

package adapters

// More than one adapter tag is set: a binary runs in one cloud.
var _ = polyfn_build_tags_select_more_than_one_adapter_pick_one_of_polyfn_aws_polyfn_azure_polyfn_gcp_polyfn_cloudflare
