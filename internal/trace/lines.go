package trace

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// LinePrefix starts each line LineMiddleware writes, so that a reader
// finds them among a runtime's own output lines.
const LinePrefix = "polyfn-trace "

// LineMiddleware is Middleware for a platform without files (Cloudflare
// Workers): it writes each event, in the CloudEvents JSON format, on one
// line after LinePrefix, to w (the program's standard output, which the
// runtime prints). A failure to write fails the invocation, and an event
// already traced further out in the chain is not traced again, as with
// Middleware.
func LineMiddleware(w io.Writer) core.Middleware {
	var mu sync.Mutex
	return func(next core.EventFunc) core.EventFunc {
		return func(ctx context.Context, e core.Event) (*core.Event, error) {
			if ctx.Value(tracedKey{}) != nil {
				return next(ctx, e)
			}
			ctx = context.WithValue(ctx, tracedKey{}, true)
			line, err := cejson.Marshal(e)
			if err == nil {
				mu.Lock()
				_, err = w.Write(append(append([]byte(LinePrefix), line...), '\n'))
				mu.Unlock()
			}
			if err != nil {
				return nil, fmt.Errorf("trace: %w", err)
			}
			return next(ctx, e)
		}
	}
}
