package azure

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
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
// Error and above on stderr instead, each carrying, inside an invocation,
// its function, invocation id (the host's, also for lines logged before
// the invocation began), cold start, the event's id, type and source and
// its trace ("trace_id", "span_id"); and, when the record's context
// belongs to an invocation, a text line "LEVEL message key=value ..." in
// that invocation's Logs, which the host logs in the invocation's context.
// It is safe for concurrent use.
func NewLogHandler(stdout, stderr io.Writer) slog.Handler {
	return newLogHandler(stdout, stderr, nil, 0)
}

// newLogHandler is NewLogHandler writing records of level and above (nil
// means Info), and a share rate of invocations from Debug up.
func newLogHandler(stdout, stderr io.Writer, level slog.Leveler, rate float64) slog.Handler {
	return &teeHandler{
		json: slogx.Wrap(split{out: slog.NewJSONHandler(stdout, nil), err: slog.NewJSONHandler(stderr, nil)},
			slogx.Options{Shape: slogx.Plain, Level: level, Fields: fields, DebugSampleRate: rate}),
	}
}

// fields is invoke.LogFields, with the host's invocation id before the
// invocation began.
func fields(ctx context.Context) (slogx.Fields, bool) {
	if f, ok := invoke.LogFields(ctx); ok {
		return f, true
	}
	if s := sinkFrom(ctx); s != nil && s.id != "" {
		return slogx.Fields{InvocationID: s.id}, true
	}
	return slogx.Fields{}, false
}

// split writes records of level Error and above to err, the others to out.
// It is slogx.Wrap's sink: it gets whole records.
type split struct{ out, err slog.Handler }

func (s split) Enabled(context.Context, slog.Level) bool { return true }
func (s split) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		return s.err.Handle(ctx, r)
	}
	return s.out.Handle(ctx, r)
}
func (s split) WithAttrs(as []slog.Attr) slog.Handler {
	return split{out: s.out.WithAttrs(as), err: s.err.WithAttrs(as)}
}
func (s split) WithGroup(name string) slog.Handler {
	return split{out: s.out.WithGroup(name), err: s.err.WithGroup(name)}
}

// teeHandler writes JSON lines through json, and a text line per record
// in the invocation's Logs.
type teeHandler struct {
	json   slog.Handler
	prefix string // attributes added by WithAttrs, formatted
	group  string // open groups, "a.b."
}

func (h *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.json.Enabled(ctx, l)
}

func (h *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if s := sinkFrom(ctx); s != nil {
		s.add(h.format(r))
	}
	return h.json.Handle(ctx, r)
}

func (h *teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range as {
		appendAttr(&b, h.group, a)
	}
	return &teeHandler{json: h.json.WithAttrs(as), prefix: b.String(), group: h.group}
}

func (h *teeHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &teeHandler{json: h.json.WithGroup(name), prefix: h.prefix, group: h.group + name + "."}
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
