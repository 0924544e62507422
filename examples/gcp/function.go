// Package function is a polyfn app laid out for a Cloud Functions (2nd gen)
// source deploy: the Go buildpack wants go.mod at the root of the uploaded
// directory and one importable (non-main) package there, whose init
// registers the functions with functions-framework-go. It builds a main of
// its own that serves the function GOOGLE_FUNCTION_TARGET (gcloud's
// --entry-point) names. See README.md for the deploy commands.
//
// The app (package app) has three functions, one per deploy:
//
//   - "orders": a Pub/Sub topic function that reads the order in the message;
//   - "uploads": a Cloud Storage function that sees each new object;
//   - "api": an HTTP function, a plain net/http mux.
//
// cmd/fn runs the same app as a container (Cloud Run) or locally, through
// adapters.Run, without functions-framework-go.
package function

import (
	// The buildpack picks its declarative template (register in init, then
	// funcframework.Start) when the package imports this one.
	_ "github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/polyfn/polyfn/adapters/gcp/gcf"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/examples/gcp/app"
)

func init() {
	core.Must(gcf.Register(app.New()))
}
