package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/emf"
	"github.com/polyfn/polyfn/internal/invoke"
)

// The AWS adapter writes CloudWatch Embedded Metric Format lines through
// emf.Start, which this package sets: a program that records no metrics
// (does not import this package) links no EMF writer.
func init() { emf.Start = startEMF }

// startEMF writes, at the end of every invocation, EMF lines to w in
// namespace: with the dimension function, ColdStart (1, on the first
// invocation of the process only), Invocations, Errors (0 or 1) and
// Duration (milliseconds); and what the function recorded during the
// invocation, with the dimension function and its own. Measurements
// outside an invocation are dropped. It returns the function that stops
// it, or an error naming what is wrong with namespace.
func startEMF(namespace string, w io.Writer, log *slog.Logger) (stop func(), err error) {
	if err := emf.Check(namespace, nil); err != nil {
		return nil, err
	}
	o := &emfObserver{ns: namespace, w: w, log: log}
	removeObserver := invoke.AddObserver(o)
	removeBackend := AddBackend(o)
	return func() { removeBackend(); removeObserver() }, nil
}

// emfObserver collects an invocation's metrics and writes them as EMF
// lines when it ends.
type emfObserver struct {
	ns  string
	w   io.Writer
	log *slog.Logger
	mu  sync.Mutex // one write at a time
}

type collectorKey struct{}

// collector holds the measurements of one invocation.
type collector struct {
	mu    sync.Mutex
	start time.Time
	by    []series // user measurements by dimension set, in order
}

// series is the measurements of one dimension set.
type series struct {
	dims    []emf.Dimension
	metrics []emf.Metric
}

func (o *emfObserver) Invocation(ctx context.Context) (context.Context, string, func(error)) {
	c := &collector{start: time.Now()}
	inv := core.InvocationFrom(ctx)
	return context.WithValue(ctx, collectorKey{}, c), "", func(err error) { o.write(ctx, inv, c, err) }
}

func (o *emfObserver) Record(ctx context.Context, _ event.EventContext, _ string, _, _ int) (context.Context, string, func(error)) {
	return ctx, "", func(error) {}
}

func (o *emfObserver) Measure(ctx context.Context, m Measurement) {
	c, _ := ctx.Value(collectorKey{}).(*collector)
	if c == nil {
		return
	}
	dims := make([]emf.Dimension, len(m.Dims))
	for i, d := range m.Dims {
		dims[i] = emf.Dimension{Name: d.Name, Value: d.Value}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.series(dims)
	for i := range s.metrics {
		if s.metrics[i].Name == m.Name {
			s.metrics[i].Values = append(s.metrics[i].Values, m.Value)
			return
		}
	}
	s.metrics = append(s.metrics, emf.Metric{Name: m.Name, Unit: string(m.Unit), Values: []float64{m.Value}})
}

// series returns the series of dims, added if new.
func (c *collector) series(dims []emf.Dimension) *series {
	for i := range c.by {
		if equalDims(c.by[i].dims, dims) {
			return &c.by[i]
		}
	}
	c.by = append(c.by, series{dims: dims})
	return &c.by[len(c.by)-1]
}

func equalDims(a, b []emf.Dimension) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (o *emfObserver) write(ctx context.Context, inv core.Invocation, c *collector, err error) {
	now := time.Now()
	fn := emf.Dimension{Name: "function", Value: inv.Function}
	builtin := []emf.Metric{
		{Name: "Invocations", Unit: "Count", Values: []float64{1}},
		{Name: "Errors", Unit: "Count", Values: []float64{0}},
		{Name: "Duration", Unit: "Milliseconds", Values: []float64{float64(now.Sub(c.start).Microseconds()) / 1000}},
	}
	if err != nil {
		builtin[1].Values[0] = 1
	}
	if inv.ColdStart {
		builtin = append(builtin, emf.Metric{Name: "ColdStart", Unit: "Count", Values: []float64{1}})
	}
	b, errs := emf.Append(nil, o.ns, []emf.Dimension{fn}, builtin, now)
	c.mu.Lock()
	for _, s := range c.by {
		var e error
		b, e = emf.Append(b, o.ns, append([]emf.Dimension{fn}, s.dims...), s.metrics, now)
		if e != nil && errs == nil {
			errs = e
		}
	}
	c.mu.Unlock()
	if errs != nil && o.log != nil {
		o.log.LogAttrs(ctx, slog.LevelWarn, "metrics dropped", slog.String(invoke.KeyError, errs.Error()))
	}
	o.mu.Lock()
	_, werr := o.w.Write(b)
	o.mu.Unlock()
	if werr != nil && o.log != nil {
		o.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String(invoke.KeyError, fmt.Sprint(werr)))
	}
}
