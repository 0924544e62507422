//go:build polyfn.gcp

package adapters

import (
	"context"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "gcp"

// Run serves app with the gcp adapter (see package gcp): PORT and
// FUNCTION_TARGET as on Cloud Functions and Cloud Run, graceful shutdown on
// SIGTERM, POLYFN_TRACE_FILE as with every adapter. It installs the adapter's log
// handler as slog's default (see gcp.SetDefaultLogger), then runs the App's
// start hooks before listening and its stop hooks after the drain. On a start-up
// error it prints the error to standard error and exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	serve(app, gcp.SetDefaultLogger, func(ctx context.Context, app *core.App) error { return gcp.Run(ctx, app) })
}
