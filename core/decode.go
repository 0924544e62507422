package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core/internal/payload"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// ErrNoData is returned by Decode for an event that carries no data.
var ErrNoData = errors.New("event has no data")

// ErrContentType is returned by Decode when the event's datacontenttype
// cannot be decoded into the requested type.
var ErrContentType = errors.New("unsupported datacontenttype")

// Decode returns e's payload (see Payload) as a T. JSON media types (application/json,
// text/json, */*+json) and an absent datacontenttype decode with
// encoding/json; []byte receives the raw bytes of any media type; string
// receives the text of a text/* media type or of JSON data that is a JSON
// string. Anything else is an error wrapping ErrContentType that names the
// media type. Decode errors are permanent (see Permanent): the same data
// will fail on every delivery.
func Decode[T any](e Event) (T, error) {
	var v T
	err := decodeInto(e, &v)
	return v, err
}

func decodeInto[T any](e Event, v *T) error {
	data, mt, err := payloadOf(e)
	if err != nil {
		return err
	}
	switch p := any(v).(type) {
	case *[]byte:
		*p = data
		return nil
	case *string:
		if strings.HasPrefix(mt, "text/") {
			*p = string(data)
			return nil
		}
		if !mediatype.IsJSON(mt) {
			return Permanent(fmt.Errorf("decode %s data into string: %w %q", e.Type(), ErrContentType, mt))
		}
	}
	if len(data) == 0 {
		return Permanent(fmt.Errorf("decode %s data into %T: %w", e.Type(), *v, ErrNoData))
	}
	if !mediatype.IsJSON(mt) {
		return Permanent(fmt.Errorf("decode %s data into %T: %w %q (want JSON)", e.Type(), *v, ErrContentType, mt))
	}
	if err := json.Unmarshal(data, v); err != nil {
		return Permanent(fmt.Errorf("decode %s data into %T: %w", e.Type(), *v, err))
	}
	return nil
}

// Payload returns the application payload an event carries and its media
// type (lower case, without parameters). For most events that is the data
// and datacontenttype. For an event whose data is a transport envelope, it
// is the message inside, as the provider that knows the envelope registered
// it (core/driver.RegisterPayload): the Google Pub/Sub message of a
// messagePublished event, for instance. So a function that decodes with
// Decode or Typed reads the same order from an SQS message, an Azure queue
// message and a Pub/Sub message, while the event itself stays as the
// platform sent it.
func Payload(e Event) ([]byte, string, error) { return payloadOf(e) }

func payloadOf(e Event) ([]byte, string, error) {
	if fn, ok := payload.Lookup(e.Type()); ok {
		return fn(e)
	}
	return e.Data(), mediatype.Of(e.DataContentType()), nil
}

// Typed adapts a function that takes decoded data to an EventFunc. The data
// is decoded with Decode[T] before fn runs; a decode error is returned
// without calling fn. The type is checked at compile time: no reflection
// runs per invocation.
func Typed[T any](fn func(ctx context.Context, e Event, data T) (*Event, error)) EventFunc {
	return func(ctx context.Context, e Event) (*Event, error) {
		var v T
		if err := decodeInto(e, &v); err != nil {
			return nil, err
		}
		return fn(ctx, e, v)
	}
}
