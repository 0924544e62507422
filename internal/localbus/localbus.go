// Package localbus joins, in one process, the code that publishes to an
// App's topics and queues without a cloud (core/resource, when a
// resource's URL is unset) and the local adapter, which delivers what is
// published to the App's OnTopic and OnQueue functions through the
// invocation runtime.
//
// Messages published before an adapter attaches wait, up to MaxPending,
// and are delivered when one does: an App's start hooks and the tests that
// run its functions without an adapter may publish.
package localbus

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/polyfn/polyfn/core"
)

// MaxPending is the most messages that wait for an adapter, per App.
const MaxPending = 10000

// A Deliverer takes one published event for the resource r (a topic or a
// queue) of the App it is attached to. It returns once the event is
// accepted, not delivered; its error tells the publisher the event was not
// accepted.
type Deliverer func(ctx context.Context, r core.Resource, e core.Event) error

// ErrFull is wrapped by Publish's error when MaxPending messages wait.
var ErrFull = errors.New("local bus full: no adapter delivers the published messages")

type message struct {
	r core.Resource
	e core.Event
}

type bus struct {
	mu      sync.Mutex
	deliver Deliverer
	pending []message
}

var (
	mu    sync.Mutex
	buses = map[weak.Pointer[core.App]]*bus{}
)

// busOf returns app's bus, made on first use and forgotten when app is
// garbage collected.
func busOf(app *core.App) *bus {
	k := weak.Make(app)
	mu.Lock()
	defer mu.Unlock()
	b := buses[k]
	if b == nil {
		b = &bus{}
		buses[k] = b
		runtime.AddCleanup(app, func(k weak.Pointer[core.App]) {
			mu.Lock()
			delete(buses, k)
			mu.Unlock()
		}, k)
	}
	return b
}

// Publish hands e, published to r, to the deliverer attached to app, or
// keeps it until one attaches.
func Publish(ctx context.Context, app *core.App, r core.Resource, e core.Event) error {
	b := busOf(app)
	b.mu.Lock()
	d := b.deliver
	if d == nil {
		defer b.mu.Unlock()
		if len(b.pending) >= MaxPending {
			return fmt.Errorf("%s: %w (%d wait)", r, ErrFull, len(b.pending))
		}
		b.pending = append(b.pending, message{r, e})
		return nil
	}
	b.mu.Unlock()
	return d(ctx, r, e)
}

// Attach makes d app's deliverer and hands it the messages that wait. The
// returned detach function stops handing it messages: later ones wait
// again. Attaching while another deliverer is attached is an error (and
// detach is nil); when d refuses waiting messages, d stays attached and the
// error counts them and wraps the first refusal.
func Attach(app *core.App, d Deliverer) (detach func(), err error) {
	b := busOf(app)
	b.mu.Lock()
	if b.deliver != nil {
		b.mu.Unlock()
		return nil, errors.New("localbus: the App already has a deliverer: serve it once per process")
	}
	b.deliver = d
	waiting := b.pending
	b.pending = nil
	b.mu.Unlock()
	var first error
	refused := 0
	for _, m := range waiting {
		if err := d(context.Background(), m.r, m.e); err != nil {
			if refused++; first == nil {
				first = err
			}
		}
	}
	detach = func() {
		b.mu.Lock()
		b.deliver = nil
		b.mu.Unlock()
	}
	if first != nil {
		return detach, fmt.Errorf("%d of the %d waiting messages refused; the first: %w", refused, len(waiting), first)
	}
	return detach, nil
}

// Pending returns the number of messages that wait for app's deliverer.
func Pending(app *core.App) int {
	b := busOf(app)
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}
