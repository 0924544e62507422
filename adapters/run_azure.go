//go:build polyfn.azure

package adapters

import (
	"context"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "azure"

// Run serves app as an Azure Functions custom handler (see package azure)
// until SIGINT or SIGTERM. It installs the adapter's log handler as slog's
// default, so that slog.InfoContext(ctx, ...) in a function reaches the
// invocation's Logs. It installs that handler before the App's start
// hooks run, and runs them before listening (the
// app settings are the process environment) and its stop hooks after the
// drain. When POLYFN_TRACE_FILE is set, every event a function receives is
// appended to that file. On a start-up error it prints the error to
// standard error and exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	serve(app, azure.SetDefaultLogger, func(ctx context.Context, app *core.App) error { return azure.Run(ctx, app) })
}
