package azure

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/polyfn/polyfn/core"
)

// sink collects the log lines of one invocation, for the answer's Logs.
type sink struct {
	mu    sync.Mutex
	lines []string
}

func (s *sink) add(line string) {
	s.mu.Lock()
	s.lines = append(s.lines, line)
	s.mu.Unlock()
}

func (s *sink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lines
}

type sinkKey struct{}

func withSink(ctx context.Context, s *sink) context.Context {
	return context.WithValue(ctx, sinkKey{}, s)
}

func sinkFrom(ctx context.Context) *sink {
	if ctx == nil {
		return nil
	}
	s, _ := ctx.Value(sinkKey{}).(*sink)
	return s
}

// NewLogHandler returns the slog.Handler the adapter logs with, and that
// Run installs as slog's default: JSON lines on stdout, records of level
// Error and above on stderr instead, each with the invocation id of its
// context; and, when the record's context belongs to an invocation, a text
// line "LEVEL message key=value ..." in that invocation's Logs. It is safe
// for concurrent use.
func NewLogHandler(stdout, stderr io.Writer) slog.Handler {
	return &teeHandler{
		out: slog.NewJSONHandler(stdout, nil),
		err: slog.NewJSONHandler(stderr, nil),
	}
}

type teeHandler struct {
	out, err slog.Handler
	prefix   string // attributes added by WithAttrs, formatted
	group    string // open groups, "a.b."
}

func (h *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.out.Enabled(ctx, l)
}

func (h *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if s := sinkFrom(ctx); s != nil {
		s.add(h.format(r))
	}
	if id := core.InvocationFrom(ctx).ID; id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("invocation_id", id))
	}
	if r.Level >= slog.LevelError {
		return h.err.Handle(ctx, r)
	}
	return h.out.Handle(ctx, r)
}

func (h *teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range as {
		appendAttr(&b, h.group, a)
	}
	return &teeHandler{out: h.out.WithAttrs(as), err: h.err.WithAttrs(as), prefix: b.String(), group: h.group}
}

func (h *teeHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &teeHandler{out: h.out.WithGroup(name), err: h.err.WithGroup(name), prefix: h.prefix, group: h.group + name + "."}
}

func (h *teeHandler) format(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte(' ')
	b.WriteString(r.Message)
	b.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.group, a)
		return true
	})
	return b.String()
}

func appendAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			appendAttr(b, g, ga)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(group)
	b.WriteString(a.Key)
	b.WriteByte('=')
	v := a.Value.String()
	if strings.ContainsAny(v, " \t\n\"=") || v == "" {
		v = strconv.Quote(v)
	}
	b.WriteString(v)
}
