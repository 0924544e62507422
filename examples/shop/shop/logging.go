package shop

import (
	"context"
	"log/slog"
)

// DefaultLogger returns a logger that writes through slog's default
// handler as it is when each line is logged: the handler the adapter
// installs, in its platform's shape (Lambda JSON, Cloud Logging, plain
// JSON), which adds the function, invocation id, event and trace to every
// line logged with an invocation's context. Lines below level are dropped
// (nil keeps them all).
func DefaultLogger(level slog.Leveler) *slog.Logger {
	return slog.New(defaultHandler{level: level})
}

type defaultHandler struct {
	level slog.Leveler
	with  func(slog.Handler) slog.Handler // WithAttrs and WithGroup, replayed on the handler of the moment
}

func (h defaultHandler) current() slog.Handler {
	d := slog.Default().Handler()
	if h.with != nil {
		d = h.with(d)
	}
	return d
}

func (h defaultHandler) Enabled(ctx context.Context, l slog.Level) bool {
	if h.level != nil && l < h.level.Level() {
		return false
	}
	return h.current().Enabled(ctx, l)
}

func (h defaultHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.current().Handle(ctx, r)
}

func (h defaultHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return h.then(func(d slog.Handler) slog.Handler { return d.WithAttrs(as) })
}

func (h defaultHandler) WithGroup(name string) slog.Handler {
	return h.then(func(d slog.Handler) slog.Handler { return d.WithGroup(name) })
}

func (h defaultHandler) then(f func(slog.Handler) slog.Handler) slog.Handler {
	prev := h.with
	h.with = func(d slog.Handler) slog.Handler {
		if prev != nil {
			d = prev(d)
		}
		return f(d)
	}
	return h
}
