package metrics_test

import (
	"context"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/core/metrics"
)

type recorder struct {
	mu sync.Mutex
	ms []metrics.Measurement
}

func (r *recorder) Measure(_ context.Context, m metrics.Measurement) {
	r.mu.Lock()
	r.ms = append(r.ms, m)
	r.mu.Unlock()
}

func TestBackends(t *testing.T) {
	ctx := context.Background()
	metrics.Add(ctx, "dropped", 1) // no backend: nowhere
	a, b := &recorder{}, &recorder{}
	removeA := metrics.AddBackend(a)
	removeB := metrics.AddBackend(b)
	metrics.Add(ctx, "orders", 2, metrics.Dim{Name: "region", Value: "eu"})
	removeA()
	metrics.Record(ctx, "total", 129.9, metrics.None)
	removeB()
	metrics.Add(ctx, "dropped", 1)
	tests := []struct {
		name string
		r    *recorder
		want []metrics.Measurement
	}{
		{"a", a, []metrics.Measurement{{Name: "orders", Kind: metrics.Counter, Value: 2, Unit: metrics.Count, Dims: []metrics.Dim{{Name: "region", Value: "eu"}}}}},
		{"b", b, []metrics.Measurement{
			{Name: "orders", Kind: metrics.Counter, Value: 2, Unit: metrics.Count, Dims: []metrics.Dim{{Name: "region", Value: "eu"}}},
			{Name: "total", Kind: metrics.Histogram, Value: 129.9}}},
	}
	for _, tt := range tests {
		if len(tt.r.ms) != len(tt.want) {
			t.Fatalf("%s got %+v, want %+v", tt.name, tt.r.ms, tt.want)
		}
		for i, m := range tt.r.ms {
			w := tt.want[i]
			if m.Name != w.Name || m.Kind != w.Kind || m.Value != w.Value || m.Unit != w.Unit || len(m.Dims) != len(w.Dims) {
				t.Errorf("%s[%d] = %+v, want %+v", tt.name, i, m, w)
			}
		}
	}
}

func BenchmarkAddNoBackend(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		metrics.Add(ctx, "orders", 1)
	}
}
