//go:build polyfn.azure

package resource

import (
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/pubsub/azuresb" // azuresb://

	_ "github.com/polyfn/polyfn/core/resource/internal/azqueue"   // azqueue://
	_ "github.com/polyfn/polyfn/core/resource/internal/eventgrid" // eventgrid://
	"github.com/polyfn/polyfn/core/resource/internal/sbwire"
)

// Tables on Azure are Cosmos DB for MongoDB, through the Go CDK's
// separate module gocloud.dev/docstore/mongodocstore: blank-import it in
// the program to open mongo:// URLs.
var formats = map[string]format{"azuresb": azureFormat(), "azqueue": structured, "eventgrid": structured}

func azureFormat() format {
	f := serviceBus
	f.before = func(m message) func(func(any) bool) error { return sbwire.BeforeSend(m.contentType) }
	return f
}
