// Command starthook is an App whose start hook logs one line through
// slog's default logger, then fails, so that the process stops before it
// serves: TestStartHookLogShape reads that line's shape on each adapter.
package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

func main() {
	app := core.NewApp()
	core.Must(app.Event("echo", func(_ context.Context, e core.Event) (*core.Event, error) { return &e, nil }))
	app.OnStart(func(ctx context.Context, _ core.Config) error {
		slog.InfoContext(ctx, "start hook ran", "adapter", adapters.Name)
		return errors.New("starthook: stop before serving")
	})
	adapters.Run(app)
}
