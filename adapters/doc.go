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
//	go build -tags polyfn.gcp     Google Cloud Functions (functions-framework-go)
//
// Setting more than one polyfn.* tag fails to build.
package adapters
