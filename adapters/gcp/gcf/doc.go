// Package gcf deploys a polyfn App to Google Cloud Functions (2nd gen) from
// source: the Go buildpack builds the deployed package together with a
// generated main that calls functions-framework-go's funcframework.Start,
// and [Register], called from that package's init, hands every App function
// to functions-framework-go.
//
//	package function // the root package of the deployed module
//
//	import (
//		_ "github.com/GoogleCloudPlatform/functions-framework-go/functions" // tells the buildpack to use the declarative template
//		"github.com/polyfn/polyfn/adapters/gcp/gcf"
//	)
//
//	func init() { core.Must(gcf.Register(newApp())) }
//
// Then gcloud functions deploy NAME --gen2 --entry-point=<function name>.
// See examples/gcp in the repository for a complete, deployable layout.
//
// On this path functions-framework-go and the CloudEvents SDK's HTTP
// protocol read the requests; polyfn's own reader (package
// polyfn/adapters/gcp, used by container builds and adapters.Run) is not
// involved. Differences that follow from it: legacy events and Pub/Sub push
// envelopes get functions-framework-go's conversion (a push envelope loses
// its subscription, and its message gets "@type"
// type.googleapis.com/google.pubusb.v1.PubsubMessage, typo included),
// ce- header values are not percent-decoded, and there is no graceful
// shutdown. Events still go through providers/gcp.Normalize, and every
// function runs on the same invocation runtime as the container path, so
// failures map to the same statuses and the same JSON error body. What
// functions-framework-go's CloudEvent functions cannot carry differs: a
// reply event is dropped (logged at debug level), success is always 200,
// and the invocation id of an event is a new one, not the
// Function-Execution-Id header, which functions-framework-go does not pass
// on.
//
// [RegisterWith] registers into another [Registry], for tests that serve
// several Apps in one process.
package gcf
