//go:build !polyfn.describe && !(js && wasm)

package adapters

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// startContext is the context of the start hooks: a SIGINT or SIGTERM
// cancels it.
func startContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
