//go:build polyfn.aws

package resource

import (
	_ "gocloud.dev/blob/s3blob"             // s3://
	_ "gocloud.dev/docstore/awsdynamodb/v2" // dynamodb://
	_ "gocloud.dev/pubsub/awssnssqs"        // awssns://, awssqs://

	"github.com/polyfn/polyfn/core/resource/internal/awswire"
)

var formats = map[string]format{"awssns": awsFormat(), "awssqs": awsFormat()}

func awsFormat() format {
	f := snsSQS
	f.before = func(m message) func(func(any) bool) error { return awswire.BeforeSend(m.attrs) }
	return f
}
