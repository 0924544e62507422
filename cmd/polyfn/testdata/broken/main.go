// Command broken declares an App that builds for the describe step but
// not as a Cloud Functions source deploy (see gcpsource.go), for the test
// that a failed build leaves no output.
package main

import (
	"net/http"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

func main() {
	app := core.NewApp()
	core.Must(app.HTTP("hello", http.NotFoundHandler()))
	adapters.Run(app)
}
