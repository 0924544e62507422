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
// Every function, event functions included, is registered as a plain HTTP
// function served by polyfn's own Google handler (package
// polyfn/adapters/gcp, the one container builds and adapters.Run serve):
// functions-framework-go only routes the request to it and recovers a
// panic that escapes it. So the two deployment paths read the same
// requests the same way — binary and structured CloudEvents with ce-
// values percent-decoded, legacy background events, Pub/Sub push
// envelopes with their subscription — and answer alike: a reply event in
// binary mode, 204 for success without one, the documented statuses and
// JSON error shape for failures, the Function-Execution-Id header as the
// invocation id. The CloudEvents SDK's receive handler, which
// functions-framework-go wraps CloudEvent functions in and which can leave
// requests unanswered under concurrent load (cloudevents/sdk-go issues
// #1224 and #1332), is never involved.
//
// What remains of the platform's server: functions-framework-go owns it,
// so there is no graceful shutdown on SIGTERM; it sets the request context's
// deadline from CLOUD_RUN_TIMEOUT_SECONDS.
//
// [RegisterWith] registers into another [Registry], for tests that serve
// several Apps in one process.
package gcf
