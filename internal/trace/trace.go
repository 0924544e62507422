// Package trace records the CloudEvents a function receives, one JSON line
// per event, for `polyfn invoke` and for debugging: set POLYFN_TRACE_FILE and
// every adapter appends what each function saw to that file.
package trace

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// EnvVar names the file that Middleware writes to when an adapter starts.
const EnvVar = "POLYFN_TRACE_FILE"

type tracedKey struct{}

// Middleware returns middleware that appends each event, in the CloudEvents
// JSON format on one line, to the file at path before calling the function.
// A failure to write fails the invocation: a trace that silently misses
// events would mislead. An event already traced further out in the chain is
// not traced again, so adding the middleware twice is harmless.
func Middleware(path string) core.Middleware {
	var mu sync.Mutex
	return func(next core.EventFunc) core.EventFunc {
		return func(ctx context.Context, e core.Event) (*core.Event, error) {
			if ctx.Value(tracedKey{}) != nil {
				return next(ctx, e)
			}
			ctx = context.WithValue(ctx, tracedKey{}, true)
			line, err := cejson.Marshal(e)
			if err != nil {
				return nil, fmt.Errorf("trace: %w", err)
			}
			mu.Lock()
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err == nil {
				_, err = f.Write(append(line, '\n'))
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			mu.Unlock()
			if err != nil {
				return nil, fmt.Errorf("trace: %s: %w", EnvVar, err)
			}
			return next(ctx, e)
		}
	}
}

// FromEnv adds Middleware to app when POLYFN_TRACE_FILE is set. Adapters
// call it once, before they take the App's functions.
func FromEnv(app *core.App) {
	if path := os.Getenv(EnvVar); path != "" {
		app.Use(Middleware(path))
	}
}
