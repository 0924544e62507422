// Package cehttp implements the CloudEvents HTTP protocol binding: binary,
// structured and batched modes, with the percent-encoding of ce- header
// values the binding requires (and the CloudEvents Go SDK skips).
//
// Reading is exact to the binding: each ce- header once (an attribute
// given twice, in any case, is refused rather than read in Go's map
// order), values trimmed of SP and HTAB only, unquoted, percent-decoded
// once and checked as CloudEvents Strings, Content-Type an RFC 2046 media
// type, and data of a JSON media type valid JSON. Writing never lets an
// extension write a context attribute's header, and never lets net/http
// invent a Content-Type for data that has none. docs/cloudevents.md lists
// the choices and the differences from the CloudEvents Go SDK.
package cehttp

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/cejson"
)

// Mode is how an HTTP message carries CloudEvents.
type Mode int

// The modes of the HTTP binding.
const (
	// NotCloudEvent means the message carries no CloudEvent.
	NotCloudEvent Mode = iota
	Binary
	Structured
	Batch
)

// String names the mode.
func (m Mode) String() string {
	return [...]string{"none", "binary", "structured", "batch"}[m]
}

// Content types of the JSON event format.
const (
	StructuredContentType = "application/cloudevents+json"
	BatchContentType      = "application/cloudevents-batch+json"
)

// ModeOf returns the mode of a message with these headers: batched or
// structured by Content-Type (case-insensitive, parameters ignored),
// binary when any ce- header is present.
func ModeOf(h http.Header) Mode {
	switch mt := typeOf(ContentType(h)); {
	case hasPrefixFold(mt, "application/cloudevents-batch"):
		return Batch
	case equalFold(mt, StructuredContentType), equalFold(mt, "application/cloudevents"):
		return Structured
	}
	for k := range h {
		if isCEHeader(k) {
			return Binary
		}
	}
	return NotCloudEvent
}

// isCEHeader reports whether k, a header name, starts with ce- in any case
// and names something after it.
func isCEHeader(k string) bool {
	return len(k) > 3 && k[0]|0x20 == 'c' && k[1]|0x20 == 'e' && k[2] == '-'
}

// Read is ReadMax with cejson.DefaultMaxBatchEvents.
func Read(h http.Header, body []byte) ([]event.Event, Mode, error) {
	return ReadMax(h, body, cejson.DefaultMaxBatchEvents)
}

// ReadMax decodes the CloudEvents of an HTTP message and validates them. A
// batch may hold at most maxBatch events (cejson.DefaultMaxBatchEvents
// when maxBatch <= 0); past that the error wraps cejson.ErrTooManyEvents.
// Every error wraps cejson.ErrInvalid and names what is wrong.
func ReadMax(h http.Header, body []byte, maxBatch int) ([]event.Event, Mode, error) {
	switch m := ModeOf(h); m {
	case Batch:
		evs, err := cejson.UnmarshalBatchMax(body, maxBatch)
		return evs, m, err
	case Structured:
		e, err := cejson.Unmarshal(body)
		if err != nil {
			return nil, m, err
		}
		return []event.Event{e}, m, nil
	case Binary:
		e, err := ReadBinary(h, body)
		if err != nil {
			return nil, m, err
		}
		return []event.Event{e}, m, nil
	default:
		return nil, m, notCloudEvent(h)
	}
}

func notCloudEvent(h http.Header) error {
	return fmt.Errorf("%w: no ce-specversion header and Content-Type %q is not %s", cejson.ErrInvalid, ContentType(h), StructuredContentType)
}

// ContentType returns h's Content-Type: h.Get("Content-Type") without
// canonicalizing the name when the key is in its canonical form already,
// as net/http gives request headers.
func ContentType(h http.Header) string {
	if vs, ok := h["Content-Type"]; ok {
		if len(vs) == 0 {
			return ""
		}
		return vs[0]
	}
	return h.Get("Content-Type")
}

// IsCloudEventContentType reports whether ct names the structured or
// batched JSON format.
func IsCloudEventContentType(ct string) bool {
	return hasPrefixFold(typeOf(ct), "application/cloudevents")
}

// typeOf returns the media type of a Content-Type value: the part before
// any parameter, without the optional white space of HTTP (SP and HTAB,
// and no other space) around it. Case is kept.
func typeOf(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return trimOWS(ct)
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// equalFold compares s with lower, in lower case ASCII, ignoring ASCII
// case only (strings.EqualFold also folds U+017F into s and U+212A into k).
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// extensionsOf returns e's extensions without the copy e.Extensions() makes.
// The map must not be changed.
func extensionsOf(e *event.Event) map[string]any {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		return ec.Extensions
	}
	return e.Extensions()
}
