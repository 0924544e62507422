//go:build !polyfn.aws && !polyfn.azure && !polyfn.gcp && !polyfn.gcpsource && !polyfn.describe && !polyfn.cloudflare

package adapters

import (
	"context"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "local"

// Run serves app with the local adapter (see package local) until SIGINT or
// SIGTERM. It installs the adapter's log handler as slog's default (see
// local.SetDefaultLogger), then runs the App's start hooks before serving
// (core.App.Start, with the process environment) and its stop hooks after
// the drain. On a start-up error, a missing setting included, it prints
// the error to standard error and exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	serve(app, local.SetDefaultLogger, func(ctx context.Context, app *core.App) error { return local.Run(ctx, app) })
}
