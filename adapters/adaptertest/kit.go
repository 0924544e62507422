package adaptertest

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
)

// LogWriter returns a writer that logs each write, one log line at a time,
// to t: harnesses send an adapter's log there, so that it shows with a
// failing test (or with go test -v) and nowhere else.
func LogWriter(t *testing.T) io.Writer { return tWriter{t} }

// Logger returns a text logger that writes to LogWriter(t).
func Logger(t *testing.T) *slog.Logger { return slog.New(slog.NewTextHandler(LogWriter(t), nil)) }

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// KindOf returns the portable kind of the events a source of trigger kind
// delivers, as harnesses synthesize them.
func KindOf(trigger core.TriggerKind) core.EventKind { return sample.KindOf(trigger) }
