package driver

import (
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/internal/payload"
)

// SetKind sets e's portable kind (the core.KindExtension extension). An
// empty kind removes it.
func SetKind(e *core.Event, k core.EventKind) {
	if k == "" {
		e.SetExtension(core.KindExtension, nil) // nil deletes
		return
	}
	e.SetExtension(core.KindExtension, string(k))
}

// A PayloadFunc returns the application payload inside an event whose data
// is a transport envelope, and the payload's media type (lower case,
// without parameters). Its errors should be permanent (core.Permanent): the
// same envelope fails on every delivery.
type PayloadFunc func(e core.Event) (data []byte, mediaType string, err error)

// RegisterPayload makes core.Payload, core.Decode and core.Typed read the
// payload of events of type eventType through fn. A provider whose platform
// wraps messages in an envelope registers it from an init function, as
// providers/gcp does for Pub/Sub's messagePublished events. It is safe for
// concurrent use; a second registration for eventType replaces the first.
func RegisterPayload(eventType string, fn PayloadFunc) {
	payload.Register(eventType, payload.Func(fn))
}
