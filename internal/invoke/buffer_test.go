package invoke

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/slogx"
)

// TestLogBuffer: with POLYFN_LOG_BUFFER's buffering, a function's debug
// lines are written when it fails (before the runtime's failure line) and
// dropped when it succeeds.
func TestLogBuffer(t *testing.T) {
	t.Setenv(EnvLogBuffer, "debug")
	e, err := FromEnv()
	if err != nil || e.LogBuffer != slog.LevelDebug {
		t.Fatalf("FromEnv: %v %v, want the debug level", e.LogBuffer, err)
	}
	tests := []struct {
		name string
		fail bool
		want []string // the messages written, in order
	}{
		{"success", false, []string{"info line"}},
		{"failure", true, []string{"info line", "debug line", "function failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(NewLogHandler(&buf, slogx.Options{BufferLevel: e.LogBuffer}))
			fn := newFunction(t, Config{Provider: "test", Logger: log}, func(a *core.App) {
				core.Must(a.Event("f", func(ctx context.Context, _ core.Event) (*core.Event, error) {
					log.DebugContext(ctx, "debug line")
					log.InfoContext(ctx, "info line")
					if tt.fail {
						return nil, errors.New("boom")
					}
					return nil, nil
				}))
			})
			ctx, cancel := fn.Begin(context.Background(), Start{})
			fn.Event(ctx, core.NewEvent("e-1", "/s", "t", "", nil))
			cancel()
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				_, rest, _ := strings.Cut(l, `"msg":"`)
				msg, _, _ := strings.Cut(rest, `"`)
				got = append(got, msg)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("lines %q, want %q:\n%s", got, tt.want, buf.String())
			}
		})
	}
	t.Setenv(EnvLogBuffer, "chatty")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), EnvLogBuffer) {
		t.Errorf("FromEnv with a bad POLYFN_LOG_BUFFER: %v, want an error naming it", err)
	}
}
