// Package payload holds the registry of transport envelopes that
// core.Payload looks inside: package core reads it, package core/driver
// writes it.
package payload

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/event"
)

// Func returns the application payload inside an event whose data is a
// transport envelope, and its media type.
type Func func(e event.Event) (data []byte, mediaType string, err error)

var (
	mu    sync.Mutex
	funcs atomic.Pointer[map[string]Func]
)

// Register makes Lookup(eventType) return fn. It is safe for concurrent
// use; lookups never wait for it.
func Register(eventType string, fn Func) {
	mu.Lock()
	defer mu.Unlock()
	m := map[string]Func{}
	if old := funcs.Load(); old != nil {
		m = maps.Clone(*old)
	}
	m[eventType] = fn
	funcs.Store(&m)
}

// Lookup returns the Func registered for eventType.
func Lookup(eventType string) (Func, bool) {
	m := funcs.Load()
	if m == nil {
		return nil, false
	}
	fn, ok := (*m)[eventType]
	return fn, ok
}
