package otelfn

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// recorder is a span exporter that keeps the batches it gets.
type recorder struct {
	mu       sync.Mutex
	batches  [][]string
	shutdown bool
	fail     error
	got      chan struct{}
}

func (r *recorder) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, s := range spans {
		names = append(names, s.Name())
	}
	r.batches = append(r.batches, names)
	select {
	case r.got <- struct{}{}:
	default:
	}
	return r.fail
}

func (r *recorder) Shutdown(context.Context) error {
	r.mu.Lock()
	r.shutdown = true
	r.mu.Unlock()
	return nil
}

func (r *recorder) snapshot() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b []string
	for _, x := range r.batches {
		b = append(b, strings.Join(x, " "))
	}
	return strings.Join(b, "|"), r.shutdown
}

// TestBatcher: spans go out in batches of at most the batch size, when a
// batch is full, when the delay passes, on ForceFlush and on Shutdown;
// past the queue's size they are dropped and the drop is reported.
func TestBatcher(t *testing.T) {
	tests := []struct {
		name  string
		s     batchSettings
		spans int
		flush func(*testing.T, *batcher, *recorder)
		want  string
	}{
		{"full batch goes at once", batchSettings{time.Hour, time.Second, 10, 2}, 2,
			func(t *testing.T, b *batcher, r *recorder) { wait(t, r) }, "s0 s1"},
		{"the delay sends a partial batch", batchSettings{10 * time.Millisecond, time.Second, 10, 5}, 1,
			func(t *testing.T, b *batcher, r *recorder) { wait(t, r) }, "s0"},
		{"ForceFlush sends everything", batchSettings{time.Hour, time.Second, 10, 4}, 3,
			func(t *testing.T, b *batcher, r *recorder) {
				if err := b.ForceFlush(context.Background()); err != nil {
					t.Fatal(err)
				}
			}, "s0 s1 s2"},
		{"Shutdown sends what is left", batchSettings{time.Hour, time.Second, 10, 5}, 2,
			func(t *testing.T, b *batcher, r *recorder) {
				if err := b.Shutdown(context.Background()); err != nil {
					t.Fatal(err)
				}
			}, "s0 s1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{got: make(chan struct{}, 1)}
			b := newBatcher(r, tt.s)
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
			tr := tp.Tracer("t")
			for i := 0; i < tt.spans; i++ {
				_, s := tr.Start(context.Background(), "s"+string(rune('0'+i)))
				s.End()
			}
			tt.flush(t, b, r)
			got, _ := r.snapshot()
			if got != tt.want {
				t.Errorf("batches %q, want %q", got, tt.want)
			}
			if err := tp.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, down := r.snapshot(); !down {
				t.Error("the exporter was not shut down")
			}
		})
	}
}

func TestBatcherDropsAndErrors(t *testing.T) {
	r := &recorder{got: make(chan struct{}, 1)}
	b := newBatcher(r, batchSettings{time.Hour, time.Second, 2, 2})
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	b.exporting.Lock() // hold the exports back while the queue fills
	for i := 0; i < 5; i++ {
		_, s := tp.Tracer("t").Start(context.Background(), "s")
		s.End()
	}
	b.exporting.Unlock()
	err := b.ForceFlush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "3 spans dropped") || !strings.Contains(err.Error(), "OTEL_BSP_MAX_QUEUE_SIZE") {
		t.Errorf("ForceFlush: %v, want the 3 dropped spans reported", err)
	}
	r.mu.Lock()
	r.fail = errors.New("collector down")
	r.mu.Unlock()
	_, s := tp.Tracer("t").Start(context.Background(), "s")
	s.End()
	if err := b.ForceFlush(context.Background()); err == nil || !strings.Contains(err.Error(), "collector down") {
		t.Errorf("ForceFlush: %v, want the exporter's error", err)
	}
	_ = tp.Shutdown(context.Background())
	_, s = tp.Tracer("t").Start(context.Background(), "late")
	s.End()
	if got, _ := r.snapshot(); strings.Contains(got, "late") {
		t.Errorf("a span ended after Shutdown was exported: %q", got)
	}
}

// TestBatcherLetsExportedSpansGo: once exported, a span is no longer
// held by the queue's array, whose room is kept for the next spans.
func TestBatcherLetsExportedSpansGo(t *testing.T) {
	r := &recorder{got: make(chan struct{}, 1)}
	b := newBatcher(r, batchSettings{time.Hour, time.Second, 10, 2})
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	defer tp.Shutdown(context.Background()) //nolint:errcheck // nothing to report
	// Hold the exports back while the queue fills.
	b.exporting.Lock()
	for i := 0; i < 5; i++ {
		_, s := tp.Tracer("t").Start(context.Background(), "s"+string(rune('0'+i)))
		s.End()
	}
	b.exporting.Unlock()
	if err := b.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if got, _ := r.snapshot(); got != "s0 s1|s2 s3|s4" {
		t.Errorf("batches %q, want s0 s1|s2 s3|s4", got)
	}
	if len(b.queue) != 0 || cap(b.queue) == 0 {
		t.Fatalf("queue len %d cap %d, want it empty with its room kept", len(b.queue), cap(b.queue))
	}
	for i, s := range b.queue[:cap(b.queue)] {
		if s != nil {
			t.Errorf("the queue's array still holds %s at %d", s.Name(), i)
		}
	}
}

func TestBatchFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want batchSettings
		err  string
	}{
		{nil, batchSettings{5 * time.Second, 30 * time.Second, 2048, 512}, ""},
		{map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "10", "OTEL_BSP_MAX_QUEUE_SIZE": "100"},
			batchSettings{10 * time.Millisecond, 30 * time.Second, 100, 100}, ""},
		{map[string]string{"OTEL_BSP_EXPORT_TIMEOUT": "500", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "7"},
			batchSettings{5 * time.Second, 500 * time.Millisecond, 2048, 7}, ""},
		{map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "soon"}, batchSettings{}, `OTEL_BSP_SCHEDULE_DELAY="soon"`},
		{map[string]string{"OTEL_BSP_MAX_QUEUE_SIZE": "0"}, batchSettings{}, `OTEL_BSP_MAX_QUEUE_SIZE="0"`},
		{map[string]string{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "-1"}, batchSettings{}, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE="-1"`},
	}
	for _, tt := range tests {
		got, err := batchFromEnv(func(k string) string { return tt.env[k] })
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err %v, want one naming %s", tt.env, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: %+v %v, want %+v", tt.env, got, err, tt.want)
		}
	}
}

// wait waits for the recorder's first batch.
func wait(t *testing.T, r *recorder) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no batch exported")
	}
}
