//go:build !polyfn.cloudflare

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
)

// useIdempotency makes every event run once when POLYFN_IDEMPOTENCY_URL
// names a store: "mem://" (one process) or a Go CDK docstore URL such as
// dynamodb://TABLE?partition_key=id. A duplicate of a completed event gets
// the stored reply; one that arrives while the first still runs gets a
// retryable error; a failed run can run again.
func useIdempotency(ctx context.Context, app *core.App) error {
	store, ok, err := docstore.OpenEnv(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", docstore.EnvURL, err)
	}
	if !ok {
		return nil
	}
	if c, ok := store.(io.Closer); ok {
		app.OnStop(func(context.Context) error { return c.Close() })
	}
	app.Use(idempotency.New(store))
	return nil
}
