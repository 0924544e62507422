package otelfn

import (
	"context"
	"encoding/hex"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/metrics"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/tracectx"
)

// scope names the instrumentation.
const scope = "github.com/polyfn/polyfn/core/otelfn"

// observer makes spans and metrics of the invocations the runtime reports.
type observer struct {
	p      *Providers
	tracer trace.Tracer

	invocations, errs, coldstarts, failures metric.Int64Counter
	duration, batch                         metric.Float64Histogram
	sets                                    sync.Map // [2]string{function, trigger} → metric.MeasurementOption
	meter                                   metric.Meter
	instruments                             sync.Map // [2]string{name, kind} → metric.Float64Counter or Float64Histogram
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
	o.invocations, _ = m.Int64Counter("faas.invocations", metric.WithDescription("Invocations of the function"))
	o.errs, _ = m.Int64Counter("faas.errors", metric.WithDescription("Failed invocations"))
	o.coldstarts, _ = m.Int64Counter("faas.coldstarts", metric.WithDescription("Invocations that started a process"))
	o.failures, _ = m.Int64Counter("polyfn.record.failures", metric.WithDescription("Failed records of batches"))
	o.duration, _ = m.Float64Histogram("faas.invoke_duration", metric.WithUnit("s"), metric.WithDescription("Duration of invocations"))
	o.batch, _ = m.Float64Histogram("polyfn.batch.size", metric.WithDescription("Records per batch"))
	return o
}

// attrs returns the metric attributes of a function and trigger, made
// once.
func (o *observer) attrs(function, trigger string) metric.MeasurementOption {
	k := [2]string{function, trigger}
	if a, ok := o.sets.Load(k); ok {
		return a.(metric.MeasurementOption)
	}
	a, _ := o.sets.LoadOrStore(k, metric.WithAttributeSet(attribute.NewSet(
		attribute.String("faas.name", function), attribute.String("faas.trigger", trigger))))
	return a.(metric.MeasurementOption)
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

// parent returns ctx with the remote parent a traceparent names.
func parent(ctx context.Context, tp string) (context.Context, trace.SpanContext, bool) {
	p, ok := tracectx.Parse(tp)
	if !ok {
		return ctx, trace.SpanContext{}, false
	}
	var cfg trace.SpanContextConfig
	hex.Decode(cfg.TraceID[:], []byte(p.TraceID)) //nolint:errcheck // Parse checked the digits
	hex.Decode(cfg.SpanID[:], []byte(p.SpanID))   //nolint:errcheck // Parse checked the digits
	if p.Sampled {
		cfg.TraceFlags = trace.FlagsSampled
	}
	cfg.Remote = true
	sc := trace.NewSpanContext(cfg)
	return trace.ContextWithRemoteSpanContext(ctx, sc), sc, true
}

// traceparent formats a span context, in one allocation.
func traceparent(sc trace.SpanContext) string {
	if !sc.IsValid() {
		return ""
	}
	var b [55]byte
	copy(b[:], "00-")
	tid, sid := sc.TraceID(), sc.SpanID()
	hex.Encode(b[3:35], tid[:])
	b[35] = '-'
	hex.Encode(b[36:52], sid[:])
	copy(b[52:], "-00")
	if sc.IsSampled() {
		b[54] = '1'
	}
	return string(b[:])
}

// sameTrace reports whether traceparent tp names the trace id.
func sameTrace(tp string, id trace.TraceID) bool {
	p, ok := tracectx.Parse(tp)
	if !ok {
		return false
	}
	var b [16]byte
	_, err := hex.Decode(b[:], []byte(p.TraceID))
	return err == nil && trace.TraceID(b) == id
}

func (o *observer) Invocation(ctx context.Context) (context.Context, string, func(error)) {
	inv := core.InvocationFrom(ctx)
	trigger := faasTrigger(inv.Trigger)
	kind := consumerKind
	if trigger == "http" {
		kind = serverKind
	} else if trigger != "pubsub" {
		kind = internalKind
	}
	ctx, _, _ = parent(ctx, inv.TraceParent)
	// faas.name and cloud.* are resource attributes (see cloudAttrs); the
	// span's name is the function's.
	ctx, span := o.tracer.Start(ctx, inv.Function, kind, trace.WithAttributes(
		attribute.String("faas.trigger", trigger),
		attribute.String("faas.invocation_id", inv.ID),
		attribute.Bool("faas.coldstart", inv.ColdStart),
		attribute.String("polyfn.provider", inv.Provider),
	))
	start := time.Now()
	attrs := o.attrs(inv.Function, trigger)
	cold := inv.ColdStart
	return ctx, traceparent(span.SpanContext()), func(err error) {
		mctx := context.Background() // measurements outlive the invocation's deadline
		o.invocations.Add(mctx, 1, attrs)
		if cold {
			o.coldstarts.Add(mctx, 1, attrs)
		}
		o.duration.Record(mctx, time.Since(start).Seconds(), attrs)
		if err != nil {
			o.errs.Add(mctx, 1, attrs)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
		if o.p.FlushEach {
			fctx, cancel := context.WithTimeout(context.Background(), FlushTimeout)
			_ = o.p.Flush(fctx) // an export error must not fail the invocation
			cancel()
		}
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

func (o *observer) Record(ctx context.Context, ec event.EventContext, own string, index, size int) (context.Context, string, func(error)) {
	e := &core.Event{Context: ec}
	if index < 0 {
		// One event: its attributes go on the invocation's span, unless it
		// names another trace, which then gets a span of its own.
		inv := trace.SpanFromContext(ctx)
		if sc := inv.SpanContext(); sc.IsValid() {
			if _, ok := tracectx.Parse(own); !ok || sameTrace(own, sc.TraceID()) {
				inv.SetAttributes(
					attribute.String("cloudevents.event_id", e.ID()),
					attribute.String("cloudevents.event_source", cejson.Source(e)),
					attribute.String("cloudevents.event_type", e.Type()))
				if tp := invoke.ObservedTraceParent(ctx); tp != "" {
					return ctx, tp, noEnd // the invocation's span, formatted once
				}
				return ctx, traceparent(sc), noEnd
			}
		}
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
		attribute.String("messaging.message.id", e.ID()),
		attribute.String("messaging.operation.type", "process"),
		attribute.String("cloudevents.event_id", e.ID()),
		attribute.String("cloudevents.event_source", cejson.Source(e)),
		attribute.String("cloudevents.event_type", e.Type()),
	)}
	if size > 1 {
		opts = append(opts, trace.WithAttributes(attribute.Int("messaging.batch.message_count", size), attribute.Int("polyfn.record.index", index)))
		if index == 0 {
			inv := core.InvocationFrom(ctx)
			o.batch.Record(ctx, float64(size), o.attrs(inv.Function, faasTrigger(inv.Trigger)))
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
	ctx, span := o.tracer.Start(ctx, "process "+e.Type(), opts...)
	return ctx, traceparent(span.SpanContext()), func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			if size > 1 {
				inv := core.InvocationFrom(ctx)
				o.failures.Add(context.Background(), 1, o.attrs(inv.Function, faasTrigger(inv.Trigger)))
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
