package azure

import (
	"context"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

// TestServerLimits: the server's default limits follow the host's own
// timeout for its calls (functionTimeout + 1 min) and the functions' own
// timeouts, and options override them.
func TestServerLimits(t *testing.T) {
	noop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	plain, long := core.NewApp(), core.NewApp()
	core.Must(plain.Event("q", noop, core.OnQueue("q")))
	core.Must(long.Event("q", noop, core.OnQueue("q"), core.WithTimeout(20*time.Minute)))
	tests := []struct {
		name                 string
		app                  *core.App
		opts                 []Option
		wantRead, wantWrite  time.Duration
		wantIdle, wantHeader time.Duration
	}{
		{"no functionTimeout: the longest default", plain, nil, 230 * time.Second, 31 * time.Minute, 3 * time.Minute, 30 * time.Second},
		{"functionTimeout", plain, []Option{WithFunctionTimeout(5 * time.Minute)}, 230 * time.Second, 6 * time.Minute, 3 * time.Minute, 30 * time.Second},
		{"a function's longer timeout", long, []Option{WithFunctionTimeout(5 * time.Minute)}, 230 * time.Second, 21 * time.Minute, 3 * time.Minute, 30 * time.Second},
		{"options", plain, []Option{WithReadTimeout(time.Second), WithWriteTimeout(2 * time.Second), WithIdleTimeout(3 * time.Second)}, time.Second, 2 * time.Second, 3 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newConfig(tt.opts).serverLimits(tt.app)
			if l.ReadTimeout != tt.wantRead || l.WriteTimeout != tt.wantWrite || l.IdleTimeout != tt.wantIdle || l.ReadHeaderTimeout != tt.wantHeader {
				t.Errorf("got %+v, want read %s, write %s, idle %s, header %s", l, tt.wantRead, tt.wantWrite, tt.wantIdle, tt.wantHeader)
			}
		})
	}
}
