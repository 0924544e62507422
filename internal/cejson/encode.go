package cejson

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/mediatype"
	"github.com/polyfn/polyfn/internal/strview"
)

// Marshal returns e in the JSON format, on one line, in one allocation
// for most events.
func Marshal(e event.Event) ([]byte, error) { return Append(make([]byte, 0, sizeHint(&e)), e) }

// sizeHint returns the length of e in the JSON format, or more, for an
// event whose strings need no escaping and that has no extensions.
func sizeHint(e *event.Event) int {
	const members = len(`{"specversion":"1.0","id":"","source":"","type":"","datacontenttype":"","dataschema":"","subject":"","time":"2006-01-02T15:04:05.999999999+07:00","data_base64":""}`)
	n := members + len(e.DataEncoded)*4/3 + 3
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		n += len(ec.ID) + len(ec.Type) + len(Source(e)) + len(e.DataContentType()) + len(e.DataSchema()) + len(e.Subject())
	}
	return n
}

// Append appends e in the JSON format, on one line, to dst. Data of a JSON
// media type (or none) that is valid JSON is written inline, compacted; data
// of other media types is written as a string when it is UTF-8 text and as
// data_base64 otherwise; data the event marks as binary is always
// data_base64. It refuses an extension whose name is not a valid extension
// name (CheckExtensionName), so that no extension can write a context
// attribute's member, and data that is not JSON under a datacontenttype
// that says it is. Call Validate first to check the rest.
func Append(dst []byte, e event.Event) ([]byte, error) {
	if e.Context == nil {
		return nil, invalid("event has no context")
	}
	dst = append(dst, `{"specversion":`...)
	dst = AppendString(dst, e.SpecVersion())
	dst = appendMember(dst, "id", e.ID())
	dst = appendMember(dst, "source", Source(&e))
	dst = appendMember(dst, "type", e.Type())
	ct := e.DataContentType()
	if ct != "" {
		dst = appendMember(dst, "datacontenttype", ct)
	}
	if s := e.DataSchema(); s != "" {
		dst = appendMember(dst, "dataschema", s)
	}
	if s := e.Subject(); s != "" {
		dst = appendMember(dst, "subject", s)
	}
	if t := e.Time(); !t.IsZero() {
		dst = append(dst, `,"time":"`...)
		dst = append(t.AppendFormat(dst, time.RFC3339Nano), '"')
	}
	ext := extensionsOf(&e)
	var buf [8]string
	names := buf[:0]
	for k := range ext {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if err := CheckExtensionName(k); err != nil {
			return nil, err
		}
		dst = append(dst, ',')
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		switch v := ext[k].(type) {
		case string:
			dst = AppendString(dst, v)
		case int32:
			dst = strconv.AppendInt(dst, int64(v), 10)
		case bool:
			dst = strconv.AppendBool(dst, v)
		default:
			s, err := types.Format(v)
			if err != nil {
				return nil, fmt.Errorf("%w: extension %s: %w", ErrInvalid, k, err)
			}
			dst = AppendString(dst, s)
		}
	}
	data := e.Data()
	if data == nil {
		return append(dst, '}'), nil
	}
	mt := mediatype.Of(ct)
	json := mediatype.IsJSON(mt)
	switch {
	case json && !validJSON(data):
		if err := CheckData(ct, data); err != nil {
			return nil, err
		}
		dst = appendBase64(dst, data) // no datacontenttype: readers assume nothing
	case !e.DataBase64 && json:
		dst = append(dst, `,"data":`...)
		dst = appendCompact(dst, data)
	case !e.DataBase64 && mediatype.IsText(mt) && utf8.Valid(data):
		dst = append(dst, `,"data":`...)
		dst = appendText(dst, strview.Of(data))
	default:
		dst = appendBase64(dst, data)
	}
	return append(dst, '}'), nil
}

func appendBase64(dst, data []byte) []byte {
	dst = append(dst, `,"data_base64":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, data)
	return append(dst, '"')
}

// appendCompact appends the valid JSON value src without the white space
// between its tokens.
func appendCompact(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '"':
			for i++; src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case ' ', '\t', '\n', '\r':
			dst = append(dst, src[start:i]...)
			start = i + 1
		}
	}
	return append(dst, src[start:]...)
}

func appendMember(dst []byte, name, val string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return AppendString(dst, val)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte { return appendText(dst, s) }

func appendText(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		if _, size := decodeRune(s, i); size > 0 {
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, `\ufffd`...)
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// IsBinaryData reports whether data of content type ct can only be carried
// as data_base64 in the JSON format: it is neither of a JSON media type nor
// valid UTF-8 of a text media type. Data of a JSON media type is taken to be
// JSON without a check, which would cost a full parse on the hot path;
// the readers of this package and internal/cehttp check it, and Append
// refuses to write JSON-labelled data that is not JSON.
func IsBinaryData(ct string, data []byte) bool {
	mt := mediatype.Of(ct)
	switch {
	case mediatype.IsJSON(mt):
		return false
	case mediatype.IsText(mt):
		return !utf8.Valid(data)
	}
	return true
}

// Source returns e's source as text, without formatting it again when it
// was seen before (intern.SourceString).
func Source(e *event.Event) string {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		return intern.SourceString(ec.Source)
	}
	return e.Source()
}

// extensionsOf returns e's extensions without the copy e.Extensions() makes.
// The map must not be changed.
func extensionsOf(e *event.Event) map[string]any {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		return ec.Extensions
	}
	return e.Extensions()
}
