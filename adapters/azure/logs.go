package azure

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// sink collects the log lines of one invocation, for the answer's Logs.
type sink struct {
	mu    sync.Mutex
	lines []string
	id    string // the host's invocation id, for lines logged before Begin
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

// sinkCtx carries a sink in the same allocation as the context holding it.
type sinkCtx struct {
	context.Context
	sink sink
}

func (c *sinkCtx) Value(key any) any {
	if key == (sinkKey{}) {
		return &c.sink
	}
	return c.Context.Value(key)
}

// withSink returns ctx carrying a new sink for the invocation id, and the
// sink.
func withSink(ctx context.Context, id string) (context.Context, *sink) {
	c := &sinkCtx{Context: ctx, sink: sink{id: id}}
	return c, &c.sink
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
// context (unless the record has an invocation_id already); and, when the
// record's context belongs to an invocation, a text line "LEVEL message
// key=value ..." in that invocation's Logs. It is safe for concurrent use.
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
	hasID    bool   // WithAttrs added invocation_id
}

func (h *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.out.Enabled(ctx, l)
}

func (h *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	s := sinkFrom(ctx)
	if s != nil {
		s.add(h.format(r))
	}
	if !h.hasID && !hasAttr(r, invoke.KeyInvocationID) {
		id := core.InvocationFrom(ctx).ID
		if id == "" && s != nil {
			id = s.id
		}
		if id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String(invoke.KeyInvocationID, id))
		}
	}
	if r.Level >= slog.LevelError {
		return h.err.Handle(ctx, r)
	}
	return h.out.Handle(ctx, r)
}

// hasAttr reports whether r has a top-level attribute key.
func hasAttr(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}

func (h *teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.prefix)
	hasID := h.hasID
	for _, a := range as {
		appendAttr(&b, h.group, a)
		hasID = hasID || h.group == "" && a.Key == invoke.KeyInvocationID
	}
	return &teeHandler{out: h.out.WithAttrs(as), err: h.err.WithAttrs(as), prefix: b.String(), group: h.group, hasID: hasID}
}

func (h *teeHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &teeHandler{out: h.out.WithGroup(name), err: h.err.WithGroup(name), prefix: h.prefix, group: h.group + name + ".", hasID: h.hasID}
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
