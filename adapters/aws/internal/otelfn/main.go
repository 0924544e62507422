// Command otelfn is a test function for core/otelfn under the Lambda
// emulator: "fulfil" takes SQS messages, logs one line per message with
// slog's default logger, and adds one to the metric Fulfilled.
package main

import (
	"context"
	"log/slog"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/metrics"
	"github.com/polyfn/polyfn/core/otelfn"
)

func main() {
	app := core.NewApp()
	otelfn.Use(app)
	core.Must(app.Event("fulfil", func(ctx context.Context, e core.Event) (*core.Event, error) {
		slog.InfoContext(ctx, "fulfilled", "order", e.ID())
		metrics.Add(ctx, "Fulfilled", 1)
		return nil, nil
	}, core.OnQueue("orders")))
	aws.Start(app)
}
