package azure

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/internal/slogx"
)

// TestHeldLinesSkipLogs: with POLYFN_LOG_BUFFER's buffering, a held debug
// line reaches standard output when the invocation logs an error, is
// dropped when it ends without one, and never reaches the invocation's
// Logs.
func TestHeldLinesSkipLogs(t *testing.T) {
	tests := []struct {
		name     string
		fail     bool
		stdout   []string // messages, in order
		invLogs  int
		errLines int
	}{
		{"success", false, []string{"info"}, 1, 0},
		{"failure", true, []string{"info", "held"}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			log := slog.New(newDefaultLogHandler(&stdout, &stderr, nil, 0, slog.LevelDebug)).With("k", "v")
			id := "inv-" + tt.name
			ctx, s := withSink(context.Background(), id)
			log.DebugContext(ctx, "held")
			log.InfoContext(ctx, "info")
			if tt.fail {
				log.ErrorContext(ctx, "boom")
			}
			slogx.EndInvocation(id)
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				_, rest, _ := strings.Cut(l, `"msg":"`)
				msg, _, _ := strings.Cut(rest, `"`)
				got = append(got, msg)
			}
			if strings.Join(got, ",") != strings.Join(tt.stdout, ",") {
				t.Errorf("stdout %q, want %q", got, tt.stdout)
			}
			if n := strings.Count(stderr.String(), "\n"); n != tt.errLines {
				t.Errorf("%d lines on stderr, want %d", n, tt.errLines)
			}
			logs := s.take()
			if len(logs) != tt.invLogs || strings.Contains(strings.Join(logs, "\n"), "held") {
				t.Errorf("Logs %q: want %d lines and no held one", logs, tt.invLogs)
			}
		})
	}
}
