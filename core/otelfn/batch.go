package otelfn

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// batchSettings are the OTEL_BSP_* settings of a batcher.
type batchSettings struct {
	delay, timeout     time.Duration
	maxQueue, maxBatch int
}

// batchFromEnv reads OTEL_BSP_SCHEDULE_DELAY and OTEL_BSP_EXPORT_TIMEOUT
// (milliseconds), OTEL_BSP_MAX_QUEUE_SIZE and OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
// with the SDK's defaults; a batch larger than the queue is cut to it. Its
// error names the variable whose value is not a positive whole number (0
// for a delay or timeout).
func batchFromEnv(get func(string) string) (batchSettings, error) {
	s := batchSettings{
		delay:    sdktrace.DefaultScheduleDelay * time.Millisecond,
		timeout:  sdktrace.DefaultExportTimeout * time.Millisecond,
		maxQueue: sdktrace.DefaultMaxQueueSize,
		maxBatch: sdktrace.DefaultMaxExportBatchSize,
	}
	for _, v := range []struct {
		key  string
		ms   *time.Duration
		n    *int
		zero bool // 0 is allowed
	}{
		{"OTEL_BSP_SCHEDULE_DELAY", &s.delay, nil, true},
		{"OTEL_BSP_EXPORT_TIMEOUT", &s.timeout, nil, true},
		{"OTEL_BSP_MAX_QUEUE_SIZE", nil, &s.maxQueue, false},
		{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", nil, &s.maxBatch, false},
	} {
		raw := get(v.key)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n == 0 && !v.zero {
			return s, fmt.Errorf("otelfn: %s=%q is not a positive whole number", v.key, raw)
		}
		if v.ms != nil {
			*v.ms = time.Duration(n) * time.Millisecond
		} else {
			*v.n = n
		}
	}
	if s.delay == 0 {
		s.delay = time.Millisecond
	}
	if s.timeout == 0 {
		s.timeout = sdktrace.DefaultExportTimeout * time.Millisecond
	}
	s.maxBatch = min(s.maxBatch, s.maxQueue)
	return s, nil
}

// A batcher is a span processor that exports ended spans in batches, as
// the SDK's BatchSpanProcessor does with the same settings, but without
// handing each span to its goroutine through a channel: a span is
// appended to the queue under a lock, and the goroutine wakes only when
// a batch is full or the schedule delay has passed. On a busy function
// that saves a goroutine switch per invocation. A full queue drops the
// span, as the SDK's does; the next export reports how many through
// OpenTelemetry's error handler.
type batcher struct {
	exp sdktrace.SpanExporter
	s   batchSettings

	mu      sync.Mutex
	queue   []sdktrace.ReadOnlySpan
	dropped int
	stopped bool

	exporting sync.Mutex    // one export at a time
	full      chan struct{} // a batch is ready
	stop      chan struct{}
	done      chan struct{}
	once      sync.Once
}

func newBatcher(exp sdktrace.SpanExporter, s batchSettings) *batcher {
	b := &batcher{exp: exp, s: s, full: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (b *batcher) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

func (b *batcher) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	b.mu.Lock()
	if b.stopped || len(b.queue) >= b.s.maxQueue {
		b.dropped++
		b.mu.Unlock()
		return
	}
	b.queue = append(b.queue, s)
	ready := len(b.queue) == b.s.maxBatch
	b.mu.Unlock()
	if ready {
		select {
		case b.full <- struct{}{}:
		default:
		}
	}
}

// run exports a batch each time one is full or the delay has passed.
func (b *batcher) run() {
	defer close(b.done)
	t := time.NewTimer(b.s.delay)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		case <-b.full:
			if !t.Stop() {
				<-t.C
			}
		}
		if err := b.export(context.Background()); err != nil {
			otel.Handle(err)
		}
		t.Reset(b.s.delay)
	}
}

// export exports the queue in batches of at most maxBatch spans, each
// within the export timeout, and stops at the first error.
func (b *batcher) export(ctx context.Context) error {
	b.exporting.Lock()
	defer b.exporting.Unlock()
	for {
		b.mu.Lock()
		n := min(len(b.queue), b.s.maxBatch)
		batch := make([]sdktrace.ReadOnlySpan, n)
		copy(batch, b.queue)
		left := copy(b.queue, b.queue[n:])
		clear(b.queue[left:]) // the queue's array no longer holds the spans going out
		b.queue = b.queue[:left]
		dropped := b.dropped
		b.dropped = 0
		b.mu.Unlock()
		var err error
		if dropped > 0 {
			err = fmt.Errorf("otelfn: %d spans dropped: the queue of OTEL_BSP_MAX_QUEUE_SIZE=%d spans was full", dropped, b.s.maxQueue)
		}
		if n == 0 {
			return err
		}
		ectx, cancel := context.WithTimeout(ctx, b.s.timeout)
		err = errors.Join(err, b.exp.ExportSpans(ectx, batch))
		cancel()
		if err != nil {
			return err
		}
	}
}

// ForceFlush exports every span queued.
func (b *batcher) ForceFlush(ctx context.Context) error { return b.export(ctx) }

// Shutdown stops the goroutine, exports what is queued and shuts the
// exporter down; spans that end later are dropped.
func (b *batcher) Shutdown(ctx context.Context) error {
	var err error
	b.once.Do(func() {
		b.mu.Lock()
		b.stopped = true
		b.mu.Unlock()
		close(b.stop)
		<-b.done
		err = errors.Join(b.export(ctx), b.exp.Shutdown(ctx))
	})
	return err
}
