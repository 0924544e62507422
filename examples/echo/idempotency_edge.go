//go:build polyfn.cloudflare

package main

import (
	"context"
	"errors"
	"os"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

// useIdempotency makes every event run once per isolate when
// POLYFN_IDEMPOTENCY_URL is "mem://". The edge build links no database
// driver, so other URLs are refused.
func useIdempotency(_ context.Context, app *core.App) error {
	switch os.Getenv("POLYFN_IDEMPOTENCY_URL") {
	case "":
		return nil
	case "mem://":
		app.Use(idempotency.New(idempotency.NewMemoryStore()))
		return nil
	}
	return errors.New("POLYFN_IDEMPOTENCY_URL: only mem:// on the edge build")
}
