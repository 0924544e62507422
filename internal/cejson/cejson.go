// Package cejson reads and writes the CloudEvents JSON event format,
// exactly as the spec writes it (docs/cloudevents.md lists every choice
// where the spec leaves one, and every difference from the CloudEvents Go
// SDK).
//
// Reading streams the members of each object with internal/jsonscan, in
// the order they come, into the event's context: no map of raw members and
// no reflection. The input must be one JSON value in valid UTF-8; member
// names are unique, and a name that spells a context attribute in another
// case ("ID", "SpecVersion") is refused, so that an extension can never
// pose as a core attribute. Writing refuses an extension named like a
// context attribute for the same reason.
package cejson

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/jsonscan"
)

// ErrInvalid is wrapped by every error about a malformed or invalid event.
var ErrInvalid = errors.New("invalid CloudEvent")

// ErrTooManyEvents is wrapped, with ErrInvalid, by the error for a batch
// that holds more events than the limit.
var ErrTooManyEvents = errors.New("too many events in one batch")

// DefaultMaxBatchEvents is the most events a batch may hold when no other
// limit is given.
const DefaultMaxBatchEvents = 1000

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Unmarshal parses one event in the JSON format and validates it. The
// event shares no memory with b.
func Unmarshal(b []byte) (event.Event, error) {
	if err := checkJSON(b, "structured JSON"); err != nil {
		return event.Event{}, err
	}
	i := jsonscan.SkipSpace(b, 0)
	if b[i] != '{' {
		return event.Event{}, invalid("structured JSON: want an object, got %s", kindOf(b[i]))
	}
	return decodeEvent(b[i:], NewContext())
}

// UnmarshalBatch is UnmarshalBatchMax with DefaultMaxBatchEvents.
func UnmarshalBatch(b []byte) ([]event.Event, error) {
	return UnmarshalBatchMax(b, DefaultMaxBatchEvents)
}

// UnmarshalBatchMax parses a JSON array of events (the batched format) and
// validates each one; the error names the index of the bad event. A batch
// of more than max events (DefaultMaxBatchEvents when max <= 0) is refused
// with an error that wraps ErrTooManyEvents and names the limit, before any
// event is decoded. Memory: the events, with one context each, and their
// data; no copy of the raw members.
func UnmarshalBatchMax(b []byte, max int) ([]event.Event, error) {
	if max <= 0 {
		max = DefaultMaxBatchEvents
	}
	if err := checkJSON(b, "batch JSON"); err != nil {
		return nil, err
	}
	i := jsonscan.SkipSpace(b, 0)
	if b[i] != '[' {
		return nil, invalid("batch JSON: want an array of events, got %s", kindOf(b[i]))
	}
	n := 0
	jsonscan.Array(b, i, func([]byte) bool {
		n++
		return n <= max
	})
	if n > max {
		return nil, fmt.Errorf("%w: %w: more than the limit of %d events", ErrInvalid, ErrTooManyEvents, max)
	}
	ctxs := make([]Context, n)
	evs := make([]event.Event, 0, n)
	var err error
	jsonscan.Array(b, i, func(v []byte) bool {
		k := len(evs)
		if v[0] != '{' {
			err = fmt.Errorf("batch event %d: %w", k, invalid("want an object, got %s", kindOf(v[0])))
			return false
		}
		var e event.Event
		if e, err = decodeEvent(v, &ctxs[k]); err != nil {
			err = fmt.Errorf("batch event %d: %w", k, err)
			return false
		}
		evs = append(evs, e)
		return true
	})
	if err != nil {
		return nil, err
	}
	return evs, nil
}

// FromMap builds and validates an event from the members of a JSON object,
// as Unmarshal reads them, in the order of their names so that the result
// does not depend on the map's order. Unmarshal is faster and reads the
// object as sent; FromMap serves callers that decoded the object already.
func FromMap(m map[string]json.RawMessage) (event.Event, error) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	d := objDecoder{c: NewContext()}
	for _, k := range names {
		v := m[k]
		if err := checkJSON(v, "member "+k); err != nil {
			return event.Event{}, err
		}
		v = v[jsonscan.SkipSpace(v, 0):]
		v = v[:jsonscan.SkipValue(v, 0)]
		if err := d.set([]byte(k), v); err != nil {
			return event.Event{}, err
		}
	}
	return d.finish()
}
