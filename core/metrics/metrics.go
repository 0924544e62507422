// Package metrics is a small portable metrics API for functions: counters
// and histograms with dimensions, recorded in the context of an
// invocation.
//
//	metrics.Add(ctx, "OrdersAccepted", 1, metrics.Dim{Name: "region", Value: "eu"})
//	metrics.Record(ctx, "OrderTotal", 129.9, metrics.None)
//
// Where the measurements go is the adapter's or the program's choice: on
// AWS Lambda, with a namespace set (POLYFN_METRICS_NAMESPACE or
// POWERTOOLS_METRICS_NAMESPACE), they are CloudWatch Embedded Metric Format
// lines written when the invocation ends, beside the built-in Invocations,
// Errors, Duration and ColdStart. The EMF writer is in this package, so
// that only a program that imports it links it: a function that records
// no metrics of its own imports it blank to get the built-in ones. With
// package core/otelfn, they are OpenTelemetry metrics exported over OTLP.
// With no backend installed they cost one atomic load and go nowhere.
package metrics

import (
	"context"
	"sync/atomic"
)

// A Unit is a measurement's unit, as CloudWatch names it.
type Unit string

// The units backends know.
const (
	None         Unit = ""
	Count        Unit = "Count"
	Seconds      Unit = "Seconds"
	Milliseconds Unit = "Milliseconds"
	Bytes        Unit = "Bytes"
	Percent      Unit = "Percent"
)

// A Dim is one dimension (an attribute) of a measurement.
type Dim struct{ Name, Value string }

// Kind tells a counter's increment from a histogram's value.
type Kind int

// The kinds of measurement.
const (
	Counter Kind = iota
	Histogram
)

// A Measurement is what Add and Record hand the backend.
type Measurement struct {
	Name  string
	Kind  Kind
	Value float64
	Unit  Unit
	Dims  []Dim
}

// A Backend receives the measurements of every invocation. Implementations
// must be safe for concurrent use.
type Backend interface {
	Measure(ctx context.Context, m Measurement)
}

// entry is one installed backend; its address identifies it.
type entry struct{ b Backend }

var backends atomic.Pointer[[]*entry]

// AddBackend installs b beside the backends installed already (adapters
// and core/otelfn do) and returns the function that removes it.
func AddBackend(b Backend) (remove func()) {
	e := &entry{b}
	update(func(es []*entry) []*entry { return append(es, e) })
	return func() {
		update(func(es []*entry) []*entry {
			out := es[:0:0]
			for _, x := range es {
				if x != e {
					out = append(out, x)
				}
			}
			return out
		})
	}
}

// update replaces the installed backends by f's copy of them.
func update(f func([]*entry) []*entry) {
	for {
		old := backends.Load()
		var cur []*entry
		if old != nil {
			cur = append(cur, *old...)
		}
		next := f(cur)
		if backends.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Add adds v to the counter name.
func Add(ctx context.Context, name string, v float64, dims ...Dim) {
	measure(ctx, Measurement{Name: name, Kind: Counter, Value: v, Unit: Count, Dims: dims})
}

// Record records v, in unit, in the histogram name.
func Record(ctx context.Context, name string, v float64, unit Unit, dims ...Dim) {
	measure(ctx, Measurement{Name: name, Kind: Histogram, Value: v, Unit: unit, Dims: dims})
}

func measure(ctx context.Context, m Measurement) {
	bs := backends.Load()
	if bs == nil {
		return
	}
	for _, e := range *bs {
		e.b.Measure(ctx, m)
	}
}
