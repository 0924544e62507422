// Package cehttp implements the CloudEvents HTTP protocol binding: binary,
// structured and batched modes, with the percent-encoding of ce- header
// values the binding requires (and the CloudEvents Go SDK skips).
package cehttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/mediatype"
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
// structured by Content-Type, binary when any ce- header is present.
func ModeOf(h http.Header) Mode {
	switch mt := mediatype.Of(ContentType(h)); {
	case strings.HasPrefix(mt, "application/cloudevents-batch"):
		return Batch
	case mt == "application/cloudevents+json", mt == "application/cloudevents":
		return Structured
	}
	for k := range h {
		if len(k) > 3 && strings.EqualFold(k[:3], "ce-") {
			return Binary
		}
	}
	return NotCloudEvent
}

// Read decodes the CloudEvents of an HTTP message and validates them. Every
// error wraps cejson.ErrInvalid and names what is wrong.
func Read(h http.Header, body []byte) ([]event.Event, Mode, error) {
	switch m := ModeOf(h); m {
	case Batch:
		evs, err := cejson.UnmarshalBatch(body)
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
		return nil, m, fmt.Errorf("%w: no ce-specversion header and Content-Type %q is not %s", cejson.ErrInvalid, h.Get("Content-Type"), StructuredContentType)
	}
}

// ReadBinary decodes a binary-mode message: attributes from ce- headers
// (quoted strings unquoted, then percent-decoded once), datacontenttype from
// Content-Type, data from body. body is kept, not copied.
func ReadBinary(h http.Header, body []byte) (event.Event, error) {
	c := cejson.NewContext()
	ec := c.V1()
	sawVersion := false
	for k, vs := range h {
		if len(k) <= 3 || k[0]|0x20 != 'c' || k[1]|0x20 != 'e' || k[2] != '-' || len(vs) == 0 {
			continue
		}
		name := attributeName(k[3:])
		v, err := DecodeHeaderValue(vs[0])
		if err != nil {
			return event.Event{}, fmt.Errorf("%w: header %s: %v", cejson.ErrInvalid, k, err)
		}
		switch name {
		case "datacontenttype":
			return event.Event{}, fmt.Errorf("%w: header ce-datacontenttype is not allowed in binary mode; send Content-Type", cejson.ErrInvalid)
		case "specversion":
			sawVersion = true
		}
		if err := c.Set(name, v); err != nil {
			return event.Event{}, fmt.Errorf("header %s: %w", k, err)
		}
	}
	if !sawVersion {
		if ModeOf(h) == NotCloudEvent {
			return event.Event{}, fmt.Errorf("%w: no ce-specversion header and Content-Type %q is not %s", cejson.ErrInvalid, h.Get("Content-Type"), StructuredContentType)
		}
		return event.Event{}, fmt.Errorf("%w: missing required header ce-specversion", cejson.ErrInvalid)
	}
	if ct := ContentType(h); ct != "" {
		_ = c.Set("datacontenttype", ct)
	}
	e := event.Event{Context: ec}
	if len(body) > 0 {
		e.DataEncoded = body
		e.DataBase64 = cejson.IsBinaryData(e.DataContentType(), body)
	}
	for _, a := range [...]struct {
		name    string
		missing bool
	}{{"id", ec.ID == ""}, {"source", ec.Source.URL == url.URL{}}, {"type", ec.Type == ""}} {
		if a.missing {
			return event.Event{}, fmt.Errorf("%w: missing required header ce-%s", cejson.ErrInvalid, a.name)
		}
	}
	if err := cejson.Validate(e); err != nil {
		return event.Event{}, err
	}
	return e, nil
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

// WriteBinary writes e as a binary-mode response with the given status.
func WriteBinary(w http.ResponseWriter, e *event.Event, status int) error {
	h := w.Header()
	if err := SetBinaryHeaders(h, e); err != nil {
		return err
	}
	w.WriteHeader(status)
	_, err := w.Write(e.Data())
	return err
}

// SetBinaryHeaders sets the ce- headers and Content-Type that carry e's
// attributes in binary mode. Values are percent-encoded as the binding asks.
// The header values share one allocation.
func SetBinaryHeaders(h http.Header, e *event.Event) error {
	if e.Context == nil {
		return errors.New("cehttp: event has no context")
	}
	exts := extensionsOf(e)
	vals := make([]string, 0, 8+len(exts))
	set := func(key, v string) {
		vals = append(vals, EncodeHeaderValue(v))
		h[key] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	if v := e.SpecVersion(); v == event.CloudEventsVersionV1 {
		h["Ce-Specversion"] = specVersion1
	} else {
		set("Ce-Specversion", v)
	}
	set("Ce-Id", e.ID())
	set("Ce-Source", sourceOf(e))
	set("Ce-Type", e.Type())
	if s := e.Subject(); s != "" {
		set("Ce-Subject", s)
	}
	if s := e.DataSchema(); s != "" {
		set("Ce-Dataschema", s)
	}
	if t := e.Time(); !t.IsZero() {
		set("Ce-Time", types.Timestamp{Time: t}.String())
	}
	for k, v := range exts {
		s, ok := v.(string)
		if !ok {
			var err error
			if s, err = types.Format(v); err != nil {
				return fmt.Errorf("cehttp: extension %s: %w", k, err)
			}
		}
		set(extensionHeader(k), s)
	}
	if ct := e.DataContentType(); ct != "" {
		vals = append(vals, ct)
		h["Content-Type"] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return nil
}

// sourceOf returns e's source as text, without formatting it again when
// it was seen before.
func sourceOf(e *event.Event) string {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		return intern.SourceString(ec.Source)
	}
	return e.Source()
}

// specVersion1 is the value of every ce-specversion header polyfn writes.
// net/http only reads header value slices, so one serves every answer.
var specVersion1 = []string{event.CloudEventsVersionV1}

// attributeNames maps ce- header suffixes, as net/http canonicalizes them
// ("Specversion", "Traceparent"), to attribute names.
var attributeNames = intern.New(512, func(suffix string) (string, bool) {
	return strings.ToLower(suffix), true
})

// extensionHeaders maps extension names to canonical header keys.
var extensionHeaders = intern.New(512, func(name string) (string, bool) {
	return http.CanonicalHeaderKey("ce-" + name), true
})

// attributeName returns the lower-cased attribute name of a ce- header suffix.
func attributeName(suffix string) string {
	switch suffix { // the canonical forms net/http gives the context attributes
	case "Specversion":
		return "specversion"
	case "Id":
		return "id"
	case "Source":
		return "source"
	case "Type":
		return "type"
	case "Time":
		return "time"
	case "Subject":
		return "subject"
	case "Dataschema":
		return "dataschema"
	case "Datacontenttype":
		return "datacontenttype"
	case "Traceparent": // the extensions polyfn and its platforms send most
		return "traceparent"
	case "Tracestate":
		return "tracestate"
	case "Partitionkey":
		return "partitionkey"
	case "Polyfnkind":
		return "polyfnkind"
	}
	n, _ := attributeNames.Get(suffix)
	return n
}

// extensionHeader returns the canonical header key for extension name.
func extensionHeader(name string) string {
	k, _ := extensionHeaders.Get(name)
	return k
}

// EncodeHeaderValue percent-encodes space, '"', '%' and every byte outside
// U+0021..U+007E, as the HTTP binding requires for ce- header values.
func EncodeHeaderValue(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if escapeByte[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escapeByte[c] {
			b = append(b, '%', hex[c>>4], hex[c&0xF])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// escapeByte marks the bytes a ce- header value percent-encodes: space,
// '"', '%' and everything outside U+0021..U+007E. plainByte marks those a
// received value may hold and be returned as is: printable ASCII (space
// included) but '%'.
var escapeByte, plainByte = func() (esc, plain [256]bool) {
	for c := 0; c < 256; c++ {
		esc[c] = c <= 0x20 || c >= 0x7F || c == '"' || c == '%'
		plain[c] = c >= 0x20 && c < 0x7F && c != '%'
	}
	return esc, plain
}()

// DecodeHeaderValue unquotes an RFC 7230 quoted-string, then percent-decodes
// once, then checks that the result is valid UTF-8.
func DecodeHeaderValue(v string) (string, error) {
	v = trimOWS(v)
	plain := true // printable ASCII without '%': the common case, returned as is
	for i := 0; i < len(v); i++ {
		if !plainByte[v[i]] {
			plain = false
			break
		}
	}
	if plain && (len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"') {
		return v, nil
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		var b strings.Builder
		for i := 1; i < len(v)-1; i++ {
			if v[i] == '\\' && i+1 < len(v)-1 {
				i++
			}
			b.WriteByte(v[i])
		}
		v = b.String()
	}
	if strings.IndexByte(v, '%') < 0 {
		if !utf8.ValidString(v) {
			return "", errors.New("value is not valid UTF-8")
		}
		return v, nil
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b = append(b, v[i])
			continue
		}
		if i+2 >= len(v) || unhex(v[i+1]) < 0 || unhex(v[i+2]) < 0 {
			return "", fmt.Errorf("bad percent-encoding at byte %d of %q", i, v)
		}
		b = append(b, byte(unhex(v[i+1])<<4|unhex(v[i+2])))
		i += 2
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("percent-decoded value of %q is not valid UTF-8", v)
	}
	return string(b), nil
}

// trimOWS trims the optional white space of HTTP (RFC 9110: SP and HTAB)
// around a header value, and nothing else.
func trimOWS(v string) string {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// IsCloudEventContentType reports whether ct names the structured or
// batched JSON format.
func IsCloudEventContentType(ct string) bool {
	return strings.HasPrefix(mediatype.Of(ct), "application/cloudevents")
}

// extensionsOf returns e's extensions without the copy e.Extensions() makes.
// The map must not be changed.
func extensionsOf(e *event.Event) map[string]any {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		return ec.Extensions
	}
	return e.Extensions()
}
