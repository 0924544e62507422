package otelfn

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

const (
	platformTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	platformParent = "00-" + platformTrace + "-00f067aa0ba902b7-01"
	otherParent    = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
)

// keys returns the keys of a span's attributes, in order.
func keys(kv []attribute.KeyValue) []string {
	var ks []string
	for _, a := range kv {
		ks = append(ks, string(a.Key))
	}
	return ks
}

var (
	invocationKeys = []string{"faas.trigger", "faas.invocation_id", "faas.coldstart", "polyfn.provider"}
	eventKeys      = []string{"cloudevents.event_id", "cloudevents.event_source", "cloudevents.event_type"}
)

// TestInvocationSpan: the invocation's span is a child of the platform's
// trace context and carries the invocation's attributes (HTTP: from the
// start; else from the first event's run, or from its end when no event
// runs), and a single event's after them.
func TestInvocationSpan(t *testing.T) {
	ev := core.NewEvent("e-1", "/orders", "com.example.order", "", nil)
	tests := []struct {
		name    string
		trigger core.TriggerKind
		run     func(t *testing.T, o *observer, ctx context.Context, span func() sdktrace.ReadOnlySpan)
		want    []string
	}{
		{"HTTP: at the start", core.TriggerHTTP, func(t *testing.T, o *observer, ctx context.Context, span func() sdktrace.ReadOnlySpan) {
			if got := keys(span().Attributes()); !slices.Equal(got, invocationKeys) {
				t.Errorf("attributes at the start %v, want %v", got, invocationKeys)
			}
		}, invocationKeys},
		{"single event: with the event's", core.TriggerQueue, func(t *testing.T, o *observer, ctx context.Context, span func() sdktrace.ReadOnlySpan) {
			if got := span().Attributes(); len(got) != 0 {
				t.Errorf("attributes before the event %v, want none yet", keys(got))
			}
			_, tp, end := o.Record(ctx, ev.Context, "", -1, 1)
			if tp != traceparentOf(span()) {
				t.Errorf("event's traceparent %s, want the invocation's %s", tp, traceparentOf(span()))
			}
			end(nil)
		}, append(slices.Clone(invocationKeys), eventKeys...)},
		{"single event in its own trace: a span of its own", core.TriggerQueue, func(t *testing.T, o *observer, ctx context.Context, span func() sdktrace.ReadOnlySpan) {
			_, tp, end := o.Record(ctx, ev.Context, otherParent, -1, 1)
			if tp[3:35] != otherParent[3:35] {
				t.Errorf("event's traceparent %s, want one in the event's trace", tp)
			}
			end(nil)
		}, invocationKeys},
		{"batch: at the first record", core.TriggerQueue, func(t *testing.T, o *observer, ctx context.Context, span func() sdktrace.ReadOnlySpan) {
			for i := range 2 {
				_, _, end := o.Record(ctx, ev.Context, "", i, 2)
				if got := keys(span().Attributes()); !slices.Equal(got, invocationKeys) {
					t.Errorf("attributes after record %d: %v, want %v", i, got, invocationKeys)
				}
				end(errors.New("record failed"))
			}
		}, invocationKeys},
		{"no event: at the end", core.TriggerSchedule, func(t *testing.T, o *observer, ctx context.Context, span func() sdktrace.ReadOnlySpan) {}, invocationKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			o := newObserver(&Providers{Tracer: tp, Meter: mp})
			ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: "f", ID: "i-1", Provider: "local",
				Trigger: tt.trigger, TraceParent: platformParent})
			ctx, tpInv, end := o.Invocation(ctx)
			span := func() sdktrace.ReadOnlySpan { return rec.Started()[0] }
			if tpInv != traceparentOf(span()) || tpInv[3:35] != platformTrace {
				t.Errorf("invocation's traceparent %s, want its span's, in the platform's trace", tpInv)
			}
			if p := span().Parent(); !p.IsRemote() || p.SpanID().String() != platformParent[36:52] {
				t.Errorf("parent %v, want the platform's, remote", p)
			}
			tt.run(t, o, ctx, span)
			end(nil)
			ended := rec.Ended()
			inv := ended[len(ended)-1]
			if inv.Name() != "f" {
				t.Fatalf("last span ended %s, want the invocation's", inv.Name())
			}
			if got := keys(inv.Attributes()); !slices.Equal(got, tt.want) {
				t.Errorf("attributes %v, want %v", got, tt.want)
			}
		})
	}
}

// traceparentOf formats a span's context.
func traceparentOf(s sdktrace.ReadOnlySpan) string { return traceparent(s.SpanContext()) }

// A span that is not sampled gets no attributes, and its traceparent says
// so; without a tracer the platform's trace context goes on.
func TestInvocationNotRecorded(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sdktrace.NeverSample()))
	ev := core.NewEvent("e-1", "/orders", "com.example.order", "", nil)
	for _, p := range []*Providers{{Tracer: tp}, {Meter: sdkmetric.NewMeterProvider()}} {
		o := newObserver(p)
		ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: "f", ID: "i-1", Trigger: core.TriggerQueue, TraceParent: platformParent})
		ctx, tpInv, end := o.Invocation(ctx)
		_, tpEv, _ := o.Record(ctx, ev.Context, "", -1, 1)
		end(nil)
		if p.Tracer == nil {
			if tpInv != platformParent || tpEv != platformParent {
				t.Errorf("without a tracer: %s, %s; want the platform's %s", tpInv, tpEv, platformParent)
			}
			continue
		}
		if tpInv[3:35] != platformTrace || tpInv[52:] != "-00" || tpEv != tpInv {
			t.Errorf("sampled out: %s, %s; want one traceparent, in the platform's trace, not sampled", tpInv, tpEv)
		}
		if got := rec.Ended(); len(got) != 0 {
			t.Errorf("%d spans recorded, want none", len(got))
		}
	}
}

// The invocation metrics: counts by faas.name and faas.trigger, read when
// the meter collects, and the duration histogram.
func TestInvocationMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	o := newObserver(&Providers{Meter: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	for i, err := range []error{errors.New("failed"), nil, nil} {
		ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: "f", ID: "i", Trigger: core.TriggerQueue, ColdStart: i == 0})
		_, _, end := o.Invocation(ctx)
		end(err)
	}
	// Another trigger kind with the same faas.trigger adds to the same counts.
	_, _, end := o.Invocation(driver.WithInvocation(context.Background(), &core.Invocation{Function: "f", ID: "i", Trigger: core.TriggerTopic}))
	end(nil)
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if !d.IsMonotonic || d.Temporality != metricdata.CumulativeTemporality {
					t.Errorf("%s: monotonic %v, %v; want a cumulative counter", m.Name, d.IsMonotonic, d.Temporality)
				}
				for _, p := range d.DataPoints {
					name, _ := p.Attributes.Value("faas.name")
					trigger, _ := p.Attributes.Value("faas.trigger")
					if name.AsString() != "f" || trigger.AsString() != "pubsub" || p.Attributes.Len() != 2 {
						t.Errorf("%s: attributes %v", m.Name, p.Attributes.ToSlice())
					}
					got[m.Name] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					got[m.Name] += int64(p.Count)
				}
			}
		}
	}
	want := map[string]int64{"faas.invocations": 4, "faas.coldstarts": 1, "faas.errors": 1, "faas.invoke_duration": 4}
	if !maps.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
}

// An ended span keeps no string that points into the invocation's context
// or its events: it waits in the batcher until exported, and would keep
// them alive until then.
func TestSpanDetachedFromInvocation(t *testing.T) {
	for _, size := range []int{1, 2} {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		o := newObserver(&Providers{Tracer: tp, Meter: mp})
		ev := core.NewEvent("e-1", "/orders", "com.example.order", "", nil)
		// No ID: driver.WithInvocation writes one into the context's allocation.
		ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: "f", Provider: "local", Trigger: core.TriggerQueue})
		inv := core.InvocationFrom(ctx)
		ctx, _, end := o.Invocation(ctx)
		for i := range size {
			index := i
			if size == 1 {
				index = -1
			}
			_, _, endEvent := o.Record(ctx, ev.Context, "", index, size)
			endEvent(nil)
		}
		end(nil)
		theirs := map[*byte]string{unsafe.StringData(inv.ID): "the invocation's id",
			unsafe.StringData(ev.ID()): "the event's id", unsafe.StringData(ev.Type()): "the event's type"}
		seen := map[attribute.Key]bool{}
		for _, span := range rec.Ended() {
			for _, a := range span.Attributes() {
				if a.Value.Type() != attribute.STRING {
					continue
				}
				seen[a.Key] = true
				if what, ok := theirs[unsafe.StringData(a.Value.AsString())]; ok {
					t.Errorf("%d events: %s %s shares its bytes with %s", size, span.Name(), a.Key, what)
				}
			}
		}
		for _, k := range []attribute.Key{"faas.invocation_id", "cloudevents.event_id", "cloudevents.event_type"} {
			if !seen[k] {
				t.Errorf("%d events: no span has %s", size, k)
			}
		}
	}
}
