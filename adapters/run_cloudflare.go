//go:build polyfn.cloudflare && js && wasm

package adapters

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "cloudflare"

// Run serves app on Cloudflare Workers (see package cloudflare): it
// installs the local adapter's JSON log handler as slog's default, runs the
// App's start hooks with the Worker's string bindings as the environment,
// then hands the App's handlers to worker.mjs and blocks. When
// POLYFN_TRACE_FILE is set, every event a function receives is written to
// standard output (the Worker's log) as a line of trace.LinePrefix and its
// JSON, since a Worker has no files. On a start-up
// error it prints the error to standard error (the Worker's log) and exits
// with status 1; worker.mjs then answers every request 503 and starts the
// program again on the next one.
func Run(app *core.App) {
	if os.Getenv(trace.EnvVar) != "" {
		app.Use(trace.LineMiddleware(os.Stdout)) // a Worker has no files: the trace goes to its log
	}
	start(app, local.SetDefaultLogger)
	if err := cloudflare.Serve(app, slog.Default()); err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
		os.Exit(1)
	}
}
