package core

import (
	"context"
	"net/http"

	"github.com/cloudevents/sdk-go/v2/event"
)

// Event is a CloudEvent. It is an alias of the CloudEvents Go SDK's
// event.Event, so values move freely between polyfn and code written for the SDK.
type Event = event.Event

// EventFunc handles one CloudEvent. It may return a reply event, or nil for
// none; the adapter delivers the reply where the platform can carry it.
// An EventFunc may be called concurrently with itself; it must not keep e's
// data slice after it returns unless it copies it.
type EventFunc func(ctx context.Context, e Event) (*Event, error)

// Middleware decorates an EventFunc. The returned function must be safe to
// call concurrently.
type Middleware func(next EventFunc) EventFunc

// HTTPMiddleware decorates an HTTP function, in the style of chi and
// net/http: func(http.Handler) http.Handler.
type HTTPMiddleware func(next http.Handler) http.Handler

// chain wraps fn in mws so that mws[0] is the outermost layer.
func chain(fn EventFunc, mws []Middleware) EventFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		fn = mws[i](fn)
	}
	return fn
}

// chainHTTP wraps h in mws so that mws[0] is the outermost layer.
func chainHTTP(h http.Handler, mws []HTTPMiddleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}
