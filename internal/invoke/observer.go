package invoke

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/event"
)

// An Observer watches invocations and the events they run on: package
// core/otelfn installs one that makes OpenTelemetry spans and
// metrics, and the AWS adapter one that writes Embedded Metric Format
// lines. With none installed (AddObserver) the runtime calls nothing and
// allocates nothing for it.
type Observer interface {
	// Invocation begins watching the invocation ctx belongs to
	// (core.InvocationFrom: function, id, trigger, cold start, the
	// platform's trace parent). It returns the context the invocation runs
	// with, the traceparent of that context ("" keeps the platform's), and
	// the function the runtime calls once when the invocation ends, with
	// the invocation's error (nil when every record succeeded).
	Invocation(ctx context.Context) (context.Context, string, func(error))
	// Record begins watching the function's run on one event: ctx is the
	// invocation's, parent the event's own trace context (its
	// distributed-tracing extension, or what Config.RecordTrace finds; ""
	// when none), index the event's place in a batch of size events (-1 and
	// 1 for a single event). It returns what Invocation returns, for the
	// event.
	Record(ctx context.Context, e event.EventContext, parent string, index, size int) (context.Context, string, func(error))
}

// observers holds the installed Observers: nil, one, or a multi.
var (
	observersMu sync.Mutex
	installed   []*Observer
	observer    atomic.Pointer[Observer]
)

// AddObserver installs o for every runtime of the process, beside those
// installed already, and returns the function that removes it.
func AddObserver(o Observer) (remove func()) {
	p := &o
	observersMu.Lock()
	installed = append(installed, p)
	publish()
	observersMu.Unlock()
	return func() {
		observersMu.Lock()
		installed = slices.DeleteFunc(installed, func(q *Observer) bool { return q == p })
		publish()
		observersMu.Unlock()
	}
}

// publish makes installed the observer the runtime calls.
func publish() {
	switch len(installed) {
	case 0:
		observer.Store(nil)
	case 1:
		observer.Store(installed[0])
	default:
		var m Observer = multi(slices.Clone(installed))
		observer.Store(&m)
	}
}

func loadObserver() Observer {
	if p := observer.Load(); p != nil {
		return *p
	}
	return nil
}

// multi is several Observers, called in the order they were added; the
// trace context is the last one's that gives one.
type multi []*Observer

func (m multi) Invocation(ctx context.Context) (context.Context, string, func(error)) {
	tp := ""
	ends := make([]func(error), len(m))
	for i, o := range m {
		var t string
		ctx, t, ends[i] = (*o).Invocation(ctx)
		if t != "" {
			tp = t
		}
	}
	return ctx, tp, func(err error) {
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i](err)
		}
	}
}

func (m multi) Record(ctx context.Context, e event.EventContext, parent string, index, size int) (context.Context, string, func(error)) {
	tp := ""
	ends := make([]func(error), len(m))
	for i, o := range m {
		var t string
		ctx, t, ends[i] = (*o).Record(ctx, e, parent, index, size)
		if t != "" {
			tp = t
		}
	}
	return ctx, tp, func(err error) {
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i](err)
		}
	}
}

// observedKey finds the innermost observedCtx.
type observedKey struct{}

// observedCtx is an invocation's context while an Observer watches it: the
// traceparent the Observer gave it, and the invocation's error.
type observedCtx struct {
	context.Context
	traceparent string
	err         atomic.Pointer[error]
}

func (c *observedCtx) Value(key any) any {
	if key == (observedKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// observe starts o's watch of the invocation ctx, and returns its context
// and a cancel function that ends the watch, then calls cancel.
func observe(o Observer, ctx context.Context, cancel context.CancelFunc) (context.Context, context.CancelFunc) {
	octx, tp, end := o.Invocation(ctx)
	c := &observedCtx{Context: octx, traceparent: tp}
	return c, func() {
		var err error
		if p := c.err.Load(); p != nil {
			err = *p
		}
		end(err)
		cancel()
	}
}

// setInvocationErr records err as the error of the observed invocation ctx
// runs in; the first one stays.
func setInvocationErr(ctx context.Context, err error) {
	if err == nil {
		return
	}
	if c, ok := ctx.Value(observedKey{}).(*observedCtx); ok {
		e := err // only here: a parameter whose address is taken is moved to the heap on every call
		c.err.CompareAndSwap(nil, &e)
	}
}

// observeRecord starts o's watch of e, run with ctx (a recordCtx), and
// returns the context the function runs with and the end function.
func observeRecord(o Observer, rc *recordCtx, index, size int) (context.Context, func(error)) {
	parent, _ := rc.traceParent()
	ctx, tp, end := o.Record(rc, rc.ec, parent, index, size)
	rc.span = tp
	return ctx, end
}
