//go:build polyfn.gcp || polyfn.gcpsource

package resource

import (
	_ "gocloud.dev/blob/gcsblob"          // gs://
	_ "gocloud.dev/docstore/gcpfirestore" // firestore://
	_ "gocloud.dev/pubsub/gcppubsub"      // gcppubsub://
)

var formats = map[string]format{"gcppubsub": pubSub}
