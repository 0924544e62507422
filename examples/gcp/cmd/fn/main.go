// Command fn runs the example app as one binary: build it with
// -tags polyfn.gcp for a Cloud Run container (PORT, FUNCTION_TARGET,
// graceful SIGTERM), or without tags to run it locally.
package main

import (
	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/examples/gcp/app"
)

func main() { adapters.Run(app.New()) }
