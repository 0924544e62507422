package local

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/localbus"
)

// The local bus's delivery bounds: attempts of an event that fails
// retryably, the wait before the first retry (it doubles after each), and
// the deliveries that run at once.
const (
	busAttempts    = 3
	busFirstRetry  = 200 * time.Millisecond
	busConcurrency = 16
)

// bus delivers what the App's functions publish to its topics and queues
// without a URL (package core/resource) to the App's OnTopic and OnQueue
// functions, asynchronously, each through the runtime as a platform
// delivery goes: middleware, idempotency, logs, the outcome. A retryable
// failure is delivered again, up to busAttempts times in all; a permanent
// one, a panic or the last attempt's failure is logged and the event
// dropped, as a queue without a dead-letter target would.
type bus struct {
	rt      *invoke.Runtime
	log     *slog.Logger
	targets map[string][]target // by "kind name": "topic order-placed"
	retry   time.Duration

	mu      sync.Mutex
	stopped bool
	running sync.WaitGroup
	slots   chan struct{}
	ctx     context.Context // canceled when the drain deadline passes
	cancel  context.CancelCauseFunc
}

// A target is one function a topic or queue feeds.
type target struct {
	fn   *invoke.Function
	kind core.TriggerKind
}

// startBus attaches the App's local bus to the adapter's runtime rt, and
// returns the function that detaches it and waits, at most
// c.shutdownTimeout, for the deliveries under way (their retries
// included); at that deadline their contexts are canceled.
func startBus(app *core.App, rt *invoke.Runtime, c config) (stop func()) {
	b := newBus(app, rt, c)
	detach, err := localbus.Attach(app, b.deliver)
	if detach == nil {
		b.log.Error("local bus not attached: published events are not delivered", "error", err)
		return func() {}
	}
	if err != nil {
		b.log.Error("events published before the adapter started were not delivered", "error", err)
	}
	return func() {
		detach()
		b.drain(c.shutdownTimeout)
	}
}

func newBus(app *core.App, rt *invoke.Runtime, c config) *bus {
	b := &bus{rt: rt, log: c.logger, targets: map[string][]target{}, retry: busFirstRetry,
		slots: make(chan struct{}, busConcurrency)}
	b.ctx, b.cancel = context.WithCancelCause(context.Background())
	for _, f := range app.Functions() {
		if f.Kind != core.EventFunction {
			continue
		}
		for _, t := range f.Triggers {
			if t.Kind == core.TriggerTopic || t.Kind == core.TriggerQueue {
				k := string(t.Kind) + " " + t.Name
				b.targets[k] = append(b.targets[k], target{rt.Function(f), t.Kind})
			}
		}
	}
	return b
}

// deliver accepts e, published to r, for each function r feeds. A topic
// nobody subscribes to drops it, as a cloud topic does; a queue nobody
// consumes is an error, since no other App can consume it in this process.
func (b *bus) deliver(_ context.Context, r core.Resource, e core.Event) error {
	ts := b.targets[string(r.Kind)+" "+r.Name]
	if len(ts) == 0 {
		if r.Kind == core.ResourceQueue {
			return fmt.Errorf("local: %s: no function of the App consumes it (OnQueue); set %s to send it elsewhere", r, r.EnvVar())
		}
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return fmt.Errorf("local: %s: the adapter is shutting down", r)
	}
	for _, t := range ts {
		// The published event, unchanged, as every cloud's trigger hands a
		// carried CloudEvent over: no polyfnkind (the publisher drops one).
		ev := e.Clone()
		b.running.Add(1)
		go b.run(t, ev)
	}
	return nil
}

// run delivers ev to t's function until it succeeds, fails for good, or
// busAttempts attempts failed.
func (b *bus) run(t target, ev core.Event) {
	defer b.running.Done()
	wait := b.retry
	for attempt := 1; ; attempt++ {
		select {
		case b.slots <- struct{}{}:
		case <-b.ctx.Done():
			b.dropped(t, ev, attempt-1, context.Cause(b.ctx))
			return
		}
		ctx, cancel := t.fn.Begin(b.ctx, invoke.Start{Trigger: t.kind})
		res := t.fn.Event(ctx, ev)
		cancel()
		<-b.slots
		o := driver.OutcomeOf(res.Err)
		if !o.Retry() || attempt == busAttempts {
			if o != driver.OK {
				b.dropped(t, ev, attempt, res.Err)
			}
			return
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-b.ctx.Done():
			b.dropped(t, ev, attempt, context.Cause(b.ctx))
			return
		}
	}
}

// dropped logs that ev will not be delivered to t's function again.
func (b *bus) dropped(t target, ev core.Event, attempts int, err error) {
	b.log.Error("event dropped", "function", t.fn.Name(), invoke.KeyEventID, ev.ID(), invoke.KeyEventType, ev.Type(),
		invoke.KeyEventSource, ev.Source(), "attempts", attempts, invoke.KeyOutcome, driver.OutcomeOf(err).String())
}

// drain refuses new events and waits for the deliveries under way, at
// most d; then it cancels them and waits for them to end.
func (b *bus) drain(d time.Duration) {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		b.cancel(fmt.Errorf("local: the adapter stopped before the event was delivered"))
		<-done
	}
	b.cancel(nil)
}
