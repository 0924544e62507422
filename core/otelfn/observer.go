package otelfn

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/metrics"
	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/tracectx"
)

// scope names the instrumentation.
const scope = "github.com/polyfn/polyfn/core/otelfn"

// observer makes spans and metrics of the invocations the runtime reports.
type observer struct {
	p      *Providers
	tracer trace.Tracer

	invocations, errs, coldstarts metric.Int64ObservableCounter // read from fnCounts
	failures                      metric.Int64Counter
	duration, batch               metric.Float64Histogram
	meter                         metric.Meter
	instruments                   sync.Map // [2]string{name, kind} → metric.Float64Counter or Float64Histogram

	fnsMu  sync.Mutex                       // serialises additions to fns and counts
	fns    atomic.Pointer[map[fnKey]*fnSet] // copied on write; as many as the App's functions and their triggers
	counts map[[2]string]*fnCounts          // by faas.name and faas.trigger
}

func newObserver(p *Providers) *observer {
	o := &observer{p: p, tracer: tracenoop.NewTracerProvider().Tracer(scope)}
	if p.Tracer != nil {
		o.tracer = p.Tracer.Tracer(scope)
	}
	var m metric.Meter = noop.NewMeterProvider().Meter(scope)
	if p.Meter != nil {
		m = p.Meter.Meter(scope)
	}
	o.meter = m
	// The instruments' errors are about invalid names, which these are not.
	o.invocations, _ = m.Int64ObservableCounter("faas.invocations", metric.WithDescription("Invocations of the function"))
	o.errs, _ = m.Int64ObservableCounter("faas.errors", metric.WithDescription("Failed invocations"))
	o.coldstarts, _ = m.Int64ObservableCounter("faas.coldstarts", metric.WithDescription("Invocations that started a process"))
	_, _ = m.RegisterCallback(o.observeCounts, o.invocations, o.errs, o.coldstarts) // lives as long as the meter
	o.failures, _ = m.Int64Counter("polyfn.record.failures", metric.WithDescription("Failed records of batches"))
	o.duration, _ = m.Float64Histogram("faas.invoke_duration", metric.WithUnit("s"), metric.WithDescription("Duration of invocations"))
	o.batch, _ = m.Float64Histogram("polyfn.batch.size", metric.WithDescription("Records per batch"))
	return o
}

// fnKey names what the invocations of one function share.
type fnKey struct {
	function, provider string
	trigger            core.TriggerKind
}

// A fnSet is what every invocation of one function by one kind of
// trigger shares, made once: the span's start options and static
// attributes, and the metrics' attribute set as options, so that passing
// them allocates nothing.
type fnSet struct {
	start    []trace.SpanStartOption // the span's kind
	trigger  attribute.KeyValue      // faas.trigger
	provider attribute.KeyValue      // polyfn.provider
	http     bool                    // faas.trigger is http: attributes at once (an HTTP function runs no event)
	add      []metric.AddOption      // faas.name and faas.trigger
	record   []metric.RecordOption   // the same
	counts   *fnCounts               // the same
}

// fnCounts counts the invocations, cold starts and failed invocations of
// one function by one faas.trigger. The counters are observable: the
// meter reads them when it collects (observeCounts), so that counting an
// invocation costs an atomic add rather than a measurement.
type fnCounts struct {
	attrs                         metric.ObserveOption // faas.name and faas.trigger
	invocations, coldstarts, errs atomic.Int64
}

// observeCounts reports every function's counts, those that are not 0.
func (o *observer) observeCounts(_ context.Context, ob metric.Observer) error {
	o.fnsMu.Lock()
	defer o.fnsMu.Unlock()
	for _, c := range o.counts {
		for _, v := range []struct {
			inst metric.Int64ObservableCounter
			n    int64
		}{{o.invocations, c.invocations.Load()}, {o.coldstarts, c.coldstarts.Load()}, {o.errs, c.errs.Load()}} {
			if v.n > 0 {
				ob.ObserveInt64(v.inst, v.n, c.attrs)
			}
		}
	}
	return nil
}

// set returns the fnSet of inv's function and trigger.
func (o *observer) set(inv *core.Invocation) *fnSet {
	k := fnKey{inv.Function, inv.Provider, inv.Trigger}
	if m := o.fns.Load(); m != nil {
		if s, ok := (*m)[k]; ok {
			return s
		}
	}
	o.fnsMu.Lock()
	defer o.fnsMu.Unlock()
	old := o.fns.Load()
	if old != nil {
		if s, ok := (*old)[k]; ok {
			return s
		}
	}
	trigger := faasTrigger(inv.Trigger)
	kind := consumerKind
	if trigger == "http" {
		kind = serverKind
	} else if trigger != "pubsub" {
		kind = internalKind
	}
	attrs := metric.WithAttributeSet(attribute.NewSet(
		attribute.String("faas.name", inv.Function), attribute.String("faas.trigger", trigger)))
	ck := [2]string{inv.Function, trigger}
	counts := o.counts[ck]
	if counts == nil {
		counts = &fnCounts{attrs: attrs}
		if o.counts == nil {
			o.counts = map[[2]string]*fnCounts{}
		}
		o.counts[ck] = counts
	}
	s := &fnSet{
		start:    []trace.SpanStartOption{kind},
		trigger:  attribute.String("faas.trigger", trigger),
		provider: attribute.String("polyfn.provider", inv.Provider),
		http:     trigger == "http",
		add:      []metric.AddOption{attrs},
		record:   []metric.RecordOption{attrs},
		counts:   counts,
	}
	m := make(map[fnKey]*fnSet, 1)
	if old != nil {
		maps.Copy(m, *old)
	}
	m[k] = s
	o.fns.Store(&m)
	return s
}

// faasTrigger is the faas.trigger value of a trigger kind.
func faasTrigger(k core.TriggerKind) string {
	switch k {
	case core.TriggerHTTP:
		return "http"
	case core.TriggerQueue, core.TriggerTopic, core.TriggerStream, core.TriggerEvent:
		return "pubsub"
	case core.TriggerSchedule:
		return "timer"
	case core.TriggerStorage:
		return "datasource"
	}
	return "other"
}

// remoteSpanContext returns the span context of the remote parent a
// traceparent names.
func remoteSpanContext(tp string) (trace.SpanContext, bool) {
	ids, ok := tracectx.ParseIDs(tp)
	if !ok {
		return trace.SpanContext{}, false
	}
	cfg := trace.SpanContextConfig{TraceID: ids.Trace, SpanID: ids.Span, Remote: true}
	if ids.Sampled {
		cfg.TraceFlags = trace.FlagsSampled
	}
	return trace.NewSpanContext(cfg), true
}

// parent returns ctx with the remote parent a traceparent names.
func parent(ctx context.Context, tp string) (context.Context, trace.SpanContext, bool) {
	sc, ok := remoteSpanContext(tp)
	if !ok {
		return ctx, sc, false
	}
	return trace.ContextWithRemoteSpanContext(ctx, sc), sc, true
}

// A remoteSpan is the platform's trace context as the parent of an
// invocation's span: what trace.ContextWithRemoteSpanContext puts in a
// context, a span that records nothing, but inside the invocation's
// allocation.
type remoteSpan struct {
	embedded.Span
	sc trace.SpanContext
}

// SpanContext returns the remote parent's span context.
func (s *remoteSpan) SpanContext() trace.SpanContext { return s.sc }

// IsRecording returns false.
func (*remoteSpan) IsRecording() bool { return false }

// TracerProvider returns a no-op TracerProvider.
func (*remoteSpan) TracerProvider() trace.TracerProvider { return tracenoop.NewTracerProvider() }

// End, AddEvent, AddLink, RecordError, SetStatus, SetName and
// SetAttributes do nothing.
func (*remoteSpan) End(...trace.SpanEndOption)              {}
func (*remoteSpan) AddEvent(string, ...trace.EventOption)   {}
func (*remoteSpan) AddLink(trace.Link)                      {}
func (*remoteSpan) RecordError(error, ...trace.EventOption) {}
func (*remoteSpan) SetStatus(codes.Code, string)            {}
func (*remoteSpan) SetName(string)                          {}
func (*remoteSpan) SetAttributes(...attribute.KeyValue)     {}

// traceparent formats a span context, in one allocation.
func traceparent(sc trace.SpanContext) string {
	if !sc.IsValid() {
		return ""
	}
	return idsOf(sc).String()
}

// idsOf returns the ids of a span context.
func idsOf(sc trace.SpanContext) tracectx.IDs {
	return tracectx.IDs{Trace: sc.TraceID(), Span: sc.SpanID(), Sampled: sc.IsSampled()}
}

// invocationKey finds the innermost invocation.
type invocationKey struct{}

// An invocation is the context an invocation runs with while the observer
// watches it, and what its end needs, in one allocation: its span (a
// child of the platform's trace context) and its traceparent, whose
// string is the bytes of tp.
//
// The invocation's attributes are set on its span when it starts if the
// trigger is HTTP, else when the first event's run begins, with a single
// event's own attributes in the same call, or when the span ends if no
// event runs: the span then makes room for its attributes once.
type invocation struct {
	context.Context // the span's
	o               *observer
	set             *fnSet
	span            trace.Span
	traceparent     string // the span's
	id              string // faas.invocation_id
	start           time.Time
	recording       bool        // span.IsRecording(): attributes are wanted
	cold            bool        // faas.coldstart
	pending         atomic.Bool // the invocation's attributes are not set yet
	remote          remoteSpan  // the span's parent, when the platform names one
	tp              [55]byte    // traceparent's bytes, never written once it is set
}

func (c *invocation) Value(key any) any {
	if key == (invocationKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// A spanAttrs holds the attributes handed to an invocation's span:
// SetAttributes copies them, so that the array goes back to attrsPool,
// where a new slice for each call would be allocated.
type spanAttrs [7]attribute.KeyValue

var attrsPool = sync.Pool{New: func() any { return new(spanAttrs) }}

// setAttrs sets the invocation's attributes on its span, unless they were
// set, and then those of ev, the single event it runs on, when not nil.
func (c *invocation) setAttrs(ev event.EventContext) {
	if !c.recording {
		return
	}
	mine := c.pending.CompareAndSwap(true, false)
	if !mine && ev == nil {
		return
	}
	var id, eventID, typ string
	if mine {
		id = c.id
	}
	if ev != nil {
		eventID, typ = ev.GetID(), ev.GetType()
	}
	id, eventID, typ = detach(id, eventID, typ)
	kv := attrsPool.Get().(*spanAttrs)
	n := 0
	if mine {
		kv[0] = c.set.trigger
		kv[1] = attribute.String("faas.invocation_id", id)
		kv[2] = attribute.Bool("faas.coldstart", c.cold)
		kv[3] = c.set.provider
		n = 4
	}
	if ev != nil {
		kv[n] = attribute.String("cloudevents.event_id", eventID)
		kv[n+1] = attribute.String("cloudevents.event_source", sourceOf(ev))
		kv[n+2] = attribute.String("cloudevents.event_type", typ)
		n += 3
	}
	c.span.SetAttributes(kv[:n]...)
	clear(kv[:n]) // holds no strings while pooled
	attrsPool.Put(kv)
}

// detach returns copies of a, b and c that share one allocation holding
// no pointers. An ended span waits in the batcher until it is exported;
// an attribute's string that pointed into the invocation's context or its
// event would keep them, and everything they reach, alive until then, for
// every garbage collection to scan.
func detach(a, b, c string) (string, string, string) {
	buf := make([]byte, 0, len(a)+len(b)+len(c))
	buf = append(append(append(buf, a...), b...), c...)
	s := unsafe.String(unsafe.SliceData(buf), len(buf))
	return s[:len(a)], s[len(a) : len(a)+len(b)], s[len(a)+len(b):]
}

func (o *observer) Invocation(ctx context.Context) (context.Context, string, func(error)) {
	inv := core.InvocationFrom(ctx)
	c := &invocation{o: o, set: o.set(&inv), id: inv.ID, cold: inv.ColdStart}
	if sc, ok := remoteSpanContext(inv.TraceParent); ok {
		c.remote.sc = sc
		ctx = trace.ContextWithSpan(ctx, &c.remote)
	}
	// faas.name and cloud.* are resource attributes (see cloudAttrs); the
	// span's name is the function's.
	ctx, span := o.tracer.Start(ctx, inv.Function, c.set.start...)
	c.Context, c.span, c.recording = ctx, span, span.IsRecording()
	if sc := span.SpanContext(); sc.IsValid() {
		ids := idsOf(sc)
		ids.Put(&c.tp)
		c.traceparent = unsafe.String(&c.tp[0], len(c.tp))
	}
	c.pending.Store(true)
	if c.set.http {
		c.setAttrs(nil)
	}
	c.start = time.Now()
	return c, c.traceparent, c.end
}

// end ends the invocation: its metrics, its span, and on AWS Lambda the
// flush.
func (c *invocation) end(err error) {
	o, set := c.o, c.set
	mctx := context.Background() // measurements outlive the invocation's deadline
	set.counts.invocations.Add(1)
	if c.cold {
		set.counts.coldstarts.Add(1)
	}
	o.duration.Record(mctx, time.Since(c.start).Seconds(), set.record...)
	if err != nil {
		set.counts.errs.Add(1)
		c.span.SetStatus(codes.Error, err.Error())
	}
	c.setAttrs(nil)
	c.span.End()
	if o.p.FlushEach {
		fctx, cancel := context.WithTimeout(context.Background(), FlushTimeout)
		_ = o.p.Flush(fctx) // an export error must not fail the invocation
		cancel()
	}
}

// The span kind options, boxed once.
var (
	consumerKind = trace.WithSpanKind(trace.SpanKindConsumer)
	serverKind   = trace.WithSpanKind(trace.SpanKindServer)
	internalKind = trace.WithSpanKind(trace.SpanKindInternal)
)

// noEnd ends nothing: a single event's attributes go on the invocation's
// span, which the invocation ends.
func noEnd(error) {}

// sourceOf returns an event's source as a string, formatted once per
// source (intern.SourceString).
func sourceOf(ec event.EventContext) string {
	if v1, ok := ec.(*event.EventContextV1); ok {
		return intern.SourceString(v1.Source)
	}
	return ec.GetSource()
}

func (o *observer) Record(ctx context.Context, ec event.EventContext, own string, index, size int) (context.Context, string, func(error)) {
	c, _ := ctx.Value(invocationKey{}).(*invocation)
	if index < 0 && c != nil && c.traceparent != "" {
		// One event: its attributes go on the invocation's span, unless it
		// names another trace, which then gets a span of its own.
		if p, ok := tracectx.Parse(own); !ok || p.TraceID == c.traceparent[3:35] {
			c.setAttrs(ec)
			return ctx, c.traceparent, noEnd
		}
	}
	if c != nil {
		c.setAttrs(nil)
	}
	id, typ, _ := detach(ec.GetID(), ec.GetType(), "")
	opts := []trace.SpanStartOption{consumerKind, trace.WithAttributes(
		attribute.String("messaging.message.id", id),
		attribute.String("messaging.operation.type", "process"),
		attribute.String("cloudevents.event_id", id),
		attribute.String("cloudevents.event_source", sourceOf(ec)),
		attribute.String("cloudevents.event_type", typ),
	)}
	if size > 1 {
		opts = append(opts, trace.WithAttributes(attribute.Int("messaging.batch.message_count", size), attribute.Int("polyfn.record.index", index)))
		if index == 0 {
			inv := core.InvocationFrom(ctx)
			o.batch.Record(ctx, float64(size), o.set(&inv).record...)
		}
	}
	if inv := trace.SpanContextFromContext(ctx); inv.IsValid() {
		if pctx, sc, ok := parent(ctx, own); ok && sc.TraceID() != inv.TraceID() {
			// The event's own trace is the parent; the invocation is linked.
			ctx = pctx
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: inv}))
		}
	} else {
		ctx, _, _ = parent(ctx, own)
	}
	ctx, span := o.tracer.Start(ctx, "process "+typ, opts...)
	return ctx, traceparent(span.SpanContext()), func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			if size > 1 {
				inv := core.InvocationFrom(ctx)
				o.failures.Add(context.Background(), 1, o.set(&inv).add...)
			}
		}
		span.End()
	}
}

// Measure records what package core/metrics hands it as an OpenTelemetry
// counter or histogram of the same name, made on first use.
func (o *observer) Measure(ctx context.Context, m metrics.Measurement) {
	attrs := make([]attribute.KeyValue, len(m.Dims))
	for i, d := range m.Dims {
		attrs[i] = attribute.String(d.Name, d.Value)
	}
	opt := metric.WithAttributes(attrs...)
	key := [2]string{m.Name, string(rune('0' + m.Kind))}
	inst, ok := o.instruments.Load(key)
	if !ok {
		unit := metric.WithUnit(otelUnit(m.Unit))
		var err error
		if m.Kind == metrics.Counter {
			inst, err = o.meter.Float64Counter(m.Name, unit)
		} else {
			inst, err = o.meter.Float64Histogram(m.Name, unit)
		}
		if err != nil {
			return // an invalid name: OpenTelemetry reports it through its error handler
		}
		inst, _ = o.instruments.LoadOrStore(key, inst)
	}
	switch i := inst.(type) {
	case metric.Float64Counter:
		i.Add(ctx, m.Value, opt)
	case metric.Float64Histogram:
		i.Record(ctx, m.Value, opt)
	}
}

// otelUnit is the UCUM unit of a metrics.Unit.
func otelUnit(u metrics.Unit) string {
	switch u {
	case metrics.Count:
		return "{count}"
	case metrics.Seconds:
		return "s"
	case metrics.Milliseconds:
		return "ms"
	case metrics.Bytes:
		return "By"
	case metrics.Percent:
		return "%"
	}
	return ""
}
