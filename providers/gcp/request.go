package gcp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
)

// DecodeRequest returns the CloudEvent an HTTP request to a Cloud Functions
// event function carries, given its headers, body and URL path:
//
//   - a binary-mode CloudEvent (ce- headers; values percent-decoded), which
//     is how Eventarc delivers;
//   - a structured-mode CloudEvent (Content-Type application/cloudevents+json);
//   - otherwise, as functions-framework-go decides: a legacy background
//     event (FromLegacy) when the JSON body has "data" or "context", and a
//     Pub/Sub push envelope (FromPushEnvelope) when it has "message" or
//     "subscription".
//
// CloudEvents then go through FromCloudEvent. Batched CloudEvents are
// refused: Cloud Functions never sends them. The body is kept, not copied.
// Every error wraps ErrInvalidEvent: the request is bad and retrying it
// will not help.
func DecodeRequest(h http.Header, body []byte, path string) (core.Event, error) {
	var e core.Event
	var err error
	switch cehttp.ModeOf(h) {
	case cehttp.Binary:
		e, err = cehttp.ReadBinary(h, body)
		if err != nil {
			return core.Event{}, invalid("%v", strings.TrimPrefix(err.Error(), cejson.ErrInvalid.Error()+": "))
		}
	case cehttp.Structured:
		e, err = ParseStructured(body)
		if err != nil {
			return core.Event{}, err
		}
	case cehttp.Batch:
		return core.Event{}, invalid("batched CloudEvents (%s) are not supported: send one event per request", h.Get("Content-Type"))
	default:
		return decodeNative(h.Get("Content-Type"), body, path)
	}
	if err := Normalize(&e); err != nil {
		return core.Event{}, err
	}
	return e, nil
}

// nativeProbe tells a legacy event from a push envelope with one parse.
type nativeProbe struct {
	legacyEvent
	Message      json.RawMessage `json:"message"`
	Subscription string          `json:"subscription"`
}

func decodeNative(contentType string, body []byte, path string) (core.Event, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return core.Event{}, invalid("empty body: want a CloudEvent (ce- headers or %s), a legacy event or a Pub/Sub push envelope", cehttp.StructuredContentType)
	}
	if b[0] != '{' {
		return core.Event{}, invalid("body is not a JSON object: want a CloudEvent (ce- headers or %s), a legacy event or a Pub/Sub push envelope", cehttp.StructuredContentType)
	}
	var p nativeProbe
	if err := json.Unmarshal(b, &p); err != nil {
		return core.Event{}, invalid("body is not JSON: %v", err)
	}
	switch {
	case p.Data != nil || p.Context != nil:
		return fromLegacy(&p.legacyEvent)
	case p.Message != nil || p.Subscription != "":
		var env pushEnvelope
		if err := json.Unmarshal(b, &env); err != nil {
			return core.Event{}, invalid("Pub/Sub push envelope: %v", err)
		}
		return fromPush(&env, body, path)
	}
	return core.Event{}, invalid("unable to extract an event: the request has no ce- headers, its Content-Type %q is not %s, and its body is neither a legacy event {data, context} nor a Pub/Sub push envelope {message, subscription}", contentType, cehttp.StructuredContentType)
}

// validate wraps cejson.Validate's error in ErrInvalidEvent.
func validate(e core.Event) error {
	if err := cejson.Validate(e); err != nil {
		return invalid("%v", strings.TrimPrefix(err.Error(), cejson.ErrInvalid.Error()+": "))
	}
	return nil
}
