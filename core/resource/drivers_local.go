//go:build !polyfn.aws && !polyfn.azure && !polyfn.gcp && !polyfn.gcpsource && !polyfn.describe

package resource

import (
	_ "gocloud.dev/blob/fileblob"        // file:///DIR buckets
	_ "gocloud.dev/docstore/memdocstore" // mem://NAME/KEY tables
)

// The local build: unset URLs are in memory; buckets may be files.
var inMemoryWhenUnset = true

// formats: topics and queues with a URL need a cloud adapter's build.
var formats = map[string]format{}
