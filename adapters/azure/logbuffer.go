package azure

import (
	"context"
	"io"
	"log/slog"

	"github.com/polyfn/polyfn/internal/slogx"
)

// newDefaultLogHandler is the handler Run installs as slog's default:
// newLogHandler's, holding an invocation's lines from buffer (nil: none)
// up to level back (POLYFN_LOG_BUFFER, see slogx.Options.BufferLevel). A
// held line goes to standard output if the invocation logs an error, and
// never to the invocation's Logs.
func newDefaultLogHandler(stdout, stderr io.Writer, level slog.Leveler, rate float64, buffer slog.Leveler) slog.Handler {
	if buffer == nil {
		return newLogHandler(stdout, stderr, level, rate)
	}
	json := slogx.Wrap(split{out: slog.NewJSONHandler(stdout, nil), err: slog.NewJSONHandler(stderr, nil)},
		slogx.Options{Shape: slogx.Plain, Level: level, Fields: fields, DebugSampleRate: rate, BufferLevel: buffer})
	return heldTee{tee: &teeHandler{json: json}}
}

// heldTee is a teeHandler whose JSON handler holds lines back: those it
// holds skip the invocation's Logs.
type heldTee struct{ tee *teeHandler }

func (h heldTee) Enabled(ctx context.Context, l slog.Level) bool { return h.tee.Enabled(ctx, l) }

func (h heldTee) Handle(ctx context.Context, r slog.Record) error {
	if slogx.Holds(h.tee.json, ctx, r.Level) {
		return h.tee.json.Handle(ctx, r)
	}
	return h.tee.Handle(ctx, r)
}

func (h heldTee) WithAttrs(as []slog.Attr) slog.Handler {
	return heldTee{tee: h.tee.WithAttrs(as).(*teeHandler)}
}

func (h heldTee) WithGroup(name string) slog.Handler {
	return heldTee{tee: h.tee.WithGroup(name).(*teeHandler)}
}
