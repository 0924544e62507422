package invoke

import (
	"context"
	"io"
	"log/slog"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/slogx"
	"github.com/polyfn/polyfn/internal/tracectx"
)

// The CloudEvents distributed-tracing extension: the trace context of the
// event's producer.
const (
	ExtTraceParent = "traceparent"
	ExtTraceState  = "tracestate"
)

// recordKey finds the innermost recordCtx.
type recordKey struct{}

// recordCtx is the context one event runs with: it carries the event, for
// log lines (event id, type and source) and for its trace context, in the
// same allocation as the context.
type recordCtx struct {
	context.Context
	rt          *Runtime
	ec          event.EventContext // the event's attributes: holding the Event itself would cost its JSON methods (package opaque)
	index, size int                // the event's place in a batch; -1 and 1 for a single event
	span        string             // the traceparent an Observer gave the event's run
}

// event returns an Event with the record's attributes and no data, for
// reading its extensions.
func (c *recordCtx) event() core.Event { return core.Event{Context: c.ec} }

func (c *recordCtx) Value(key any) any {
	if key == (recordKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// withRecord returns ctx carrying e, the event the function runs on,
// record index of a batch of size records (-1 and 1 for a single event).
func (rt *Runtime) withRecord(ctx context.Context, e core.Event, index, size int) *recordCtx {
	return &recordCtx{Context: ctx, rt: rt, ec: e.Context, index: index, size: size}
}

// current returns the trace context the function runs in on the event:
// the Observer's, else the event's own.
func (c *recordCtx) current() (tp, state string) {
	if c.span != "" {
		return c.span, ""
	}
	return c.traceParent()
}

// traceParent returns the trace context the event names: its own
// distributed-tracing extension, else what the runtime's RecordTrace
// finds in it (an SQS message's AWSTraceHeader), else "".
func (c *recordCtx) traceParent() (tp, state string) {
	if v, ok := core.ExtensionString(c.event(), ExtTraceParent); ok {
		if _, ok := tracectx.Parse(v); ok {
			state, _ = core.ExtensionString(c.event(), ExtTraceState)
			return v, state
		}
	}
	if f := c.rt.cfg.RecordTrace; f != nil {
		return f(c.ec), ""
	}
	return "", ""
}

// TraceParent returns the trace context ctx runs in: inside a function
// that runs on an event, the Observer's span for it, else the event's own
// (see Config.RecordTrace); else the Observer's span for the invocation,
// else the invocation's (core.Invocation.TraceParent); "" when there is
// none.
func TraceParent(ctx context.Context) (traceparent, tracestate string) {
	if rc, ok := ctx.Value(recordKey{}).(*recordCtx); ok {
		if tp, ts := rc.current(); tp != "" {
			return tp, ts
		}
	}
	if oc, ok := ctx.Value(observedKey{}).(*observedCtx); ok && oc.traceparent != "" {
		return oc.traceparent, ""
	}
	inv := core.InvocationFrom(ctx)
	return inv.TraceParent, inv.TraceState
}

// LogFields returns what a log line written with ctx says about the
// invocation: the function, the invocation id, cold start, the event's id,
// type and source inside a function that runs on one, and the trace
// context (see TraceParent). ok is false outside an invocation. Adapters
// give it to their slogx handler.
func LogFields(ctx context.Context) (f slogx.Fields, ok bool) {
	inv := core.InvocationFrom(ctx)
	if inv.ID == "" && inv.Function == "" {
		return f, false
	}
	f = slogx.Fields{Function: inv.Function, InvocationID: inv.ID, ColdStart: inv.ColdStart}
	if rc, ok := ctx.Value(recordKey{}).(*recordCtx); ok {
		f.EventID, f.EventType, f.EventSource = rc.ec.GetID(), rc.ec.GetType(), rc.ec.GetSource()
	}
	tp, _ := TraceParent(ctx)
	if p, ok := tracectx.Parse(tp); ok {
		f.TraceID, f.SpanID, f.Sampled = p.TraceID, p.SpanID, p.Sampled
	}
	return f, true
}

// NewLogHandler returns the handler an adapter logs with and installs as
// slog's default: lines in shape o.Shape on w, each carrying LogFields of
// its context, so that a function's slog.InfoContext(ctx, ...) names its
// function, invocation, event and trace. o.Fields is set to LogFields when
// nil.
func NewLogHandler(w io.Writer, o slogx.Options) slog.Handler {
	if o.Fields == nil {
		o.Fields = LogFields
	}
	return slogx.New(w, o)
}

// carryTrace gives reply the trace context ctx runs in (TraceParent) as its
// distributed-tracing extension, unless the function set one: a reply
// event continues the trace of the event it answers.
func carryTrace(ctx context.Context, reply *core.Event) {
	replyTrace(ctx, reply).set(reply)
}

// A traceExt is the distributed-tracing extension a reply gets: parent
// ("" for none) and state, and the boxed values of the event's own
// extensions when they are those, so that setting them boxes no new string.
type traceExt struct {
	parent, state           string
	boxedParent, boxedState any
}

// set gives reply t, when t has a parent.
func (t traceExt) set(reply *core.Event) {
	if t.parent == "" {
		return
	}
	tp, st := t.boxedParent, t.boxedState
	if tp == nil {
		tp = t.parent
		if t.state != "" {
			st = t.state
		}
	}
	setTrace(reply, tp, st)
}

// replyTrace returns the distributed-tracing extension carryTrace gives
// reply: none when reply is nil or has its own, else the trace context
// ctx runs in.
func replyTrace(ctx context.Context, reply *core.Event) traceExt {
	if reply == nil {
		return traceExt{}
	}
	if _, has := core.Extension(*reply, ExtTraceParent); has {
		return traceExt{}
	}
	if rc, ok := ctx.Value(recordKey{}).(*recordCtx); ok && rc.span == "" {
		// The event's own extensions, as they are.
		if v, ok := core.Extension(rc.event(), ExtTraceParent); ok {
			if s, _ := v.(string); s != "" {
				if _, ok := tracectx.Parse(s); ok {
					st, _ := core.Extension(rc.event(), ExtTraceState)
					t := traceExt{parent: s, boxedParent: v, boxedState: st}
					t.state, _ = st.(string)
					return t
				}
			}
		}
	}
	tp, ts := TraceParent(ctx)
	return traceExt{parent: tp, state: ts}
}

// setTrace sets the distributed-tracing extension of reply to tp and
// state (none when nil), values that are valid already: on a version 1.0
// context it stores the boxed values as they are, where SetExtension would
// validate and box them again.
func setTrace(reply *core.Event, tp, state any) {
	if c, ok := reply.Context.(*event.EventContextV1); ok {
		if c.Extensions == nil {
			c.Extensions = make(map[string]any, 2)
		}
		c.Extensions[ExtTraceParent] = tp
		if state != nil {
			c.Extensions[ExtTraceState] = state
		}
		return
	}
	reply.SetExtension(ExtTraceParent, tp)
	if state != nil {
		reply.SetExtension(ExtTraceState, state)
	}
}
