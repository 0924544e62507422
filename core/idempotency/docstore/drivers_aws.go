//go:build polyfn.aws || (!polyfn.azure && !polyfn.gcp && !polyfn.gcpsource && !polyfn.describe && !polyfn.cloudflare)

package docstore

import _ "gocloud.dev/docstore/awsdynamodb/v2" // dynamodb:// URLs, on AWS and the local adapter
