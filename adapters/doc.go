// Package adapters picks the runtime adapter for a polyfn App at build time.
//
//	func main() {
//		app := core.NewApp()
//		core.Must(app.Event("echo", echo))
//		adapters.Run(app)
//	}
//
// The build tag chooses the adapter, and only that adapter is linked:
//
//	go build                      local HTTP server (laptop, Knative, Cloud Run)
//	go build -tags polyfn.aws     AWS Lambda
//	go build -tags polyfn.azure   Azure Functions custom handler
//	go build -tags polyfn.gcp     Google Cloud Functions and Cloud Run (container path)
//	GOOS=js GOARCH=wasm go build -tags polyfn.cloudflare   Cloudflare Workers (use polyfn build --provider cloudflare)
//
//	go build -tags polyfn.gcpsource  register with functions-framework-go and return (GCF source deploy)
//	go build -tags polyfn.describe   print the App's functions and triggers as JSON, then exit
//
// Setting more than one polyfn.* tag fails to build. Every adapter appends
// each event a function receives to the file POLYFN_TRACE_FILE names, when
// it is set (one JSON line per event; polyfn invoke uses it).
package adapters
