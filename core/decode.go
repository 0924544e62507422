package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/internal/mediatype"
)

// ErrNoData is returned by Decode for an event that carries no data.
var ErrNoData = errors.New("event has no data")

// ErrContentType is returned by Decode when the event's datacontenttype
// cannot be decoded into the requested type.
var ErrContentType = errors.New("unsupported datacontenttype")

// Decode returns e's data as a T. JSON media types (application/json,
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
	data := e.Data()
	switch p := any(v).(type) {
	case *[]byte:
		*p = data
		return nil
	case *string:
		mt := mediaType(e)
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
	if mt := mediaType(e); !mediatype.IsJSON(mt) {
		return Permanent(fmt.Errorf("decode %s data into %T: %w %q (want JSON)", e.Type(), *v, ErrContentType, mt))
	}
	if err := json.Unmarshal(data, v); err != nil {
		return Permanent(fmt.Errorf("decode %s data into %T: %w", e.Type(), *v, err))
	}
	return nil
}

// mediaType returns e's lower-cased media type without parameters.
func mediaType(e Event) string { return mediatype.Of(e.DataContentType()) }

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
