// Package cejson reads and writes the CloudEvents JSON event format.
//
// It exists because the CloudEvents Go SDK's own JSON reader mis-parses a
// pretty-printed "data_base64" (whitespace after the colon) and skips JSON
// unescaping on that path; polyfn parses with encoding/json instead and
// builds an event.Event from the result.
package cejson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/mediatype"
	"github.com/polyfn/polyfn/internal/rfc3339"
)

// ErrInvalid is wrapped by every error about a malformed or invalid event.
var ErrInvalid = errors.New("invalid CloudEvent")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Unmarshal parses one event in the JSON format and validates it.
func Unmarshal(b []byte) (event.Event, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return event.Event{}, invalid("structured JSON: %v", err)
	}
	if m == nil {
		return event.Event{}, invalid("structured JSON: want an object, got null")
	}
	return FromMap(m)
}

// UnmarshalBatch parses a JSON array of events (the batched format) and
// validates each one. The error names the index of the bad event.
func UnmarshalBatch(b []byte) ([]event.Event, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, invalid("batch JSON: %v", err)
	}
	evs := make([]event.Event, 0, len(raw))
	for i, r := range raw {
		e, err := Unmarshal(r)
		if err != nil {
			return nil, fmt.Errorf("batch event %d: %w", i, err)
		}
		evs = append(evs, e)
	}
	return evs, nil
}

// FromMap builds and validates an event from the members of a JSON object.
func FromMap(m map[string]json.RawMessage) (event.Event, error) {
	sv, ok, err := str(m, "specversion")
	switch {
	case err != nil:
		return event.Event{}, err
	case !ok:
		return event.Event{}, invalid("missing required attribute specversion")
	case sv != event.CloudEventsVersionV1:
		return event.Event{}, invalid("specversion %q is not supported (want \"1.0\")", sv)
	}
	c := NewContext()
	ec := c.V1()
	for name, raw := range m {
		switch name {
		case "specversion", "data", "data_base64":
		case "id", "source", "type", "subject", "datacontenttype", "dataschema", "time":
			s, ok, err := str(m, name)
			if err != nil {
				return event.Event{}, err
			}
			if ok {
				if err := c.Set(name, s); err != nil {
					return event.Event{}, err
				}
			}
		default:
			if err := setJSONExtension(ec, lowerName(name), raw); err != nil {
				return event.Event{}, err
			}
		}
	}
	e := event.Event{Context: ec}
	data, hasData := m["data"]
	b64, hasB64 := m["data_base64"]
	if hasB64 && isNull(b64) {
		hasB64 = false
	}
	switch {
	case hasData && hasB64:
		return event.Event{}, invalid("data and data_base64 are both set; they are mutually exclusive")
	case hasB64:
		var s string
		if err := json.Unmarshal(b64, &s); err != nil {
			return event.Event{}, invalid("data_base64 must be a string")
		}
		d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return event.Event{}, invalid("data_base64: %v", err)
		}
		e.DataEncoded, e.DataBase64 = d, true
	case hasData:
		if mediatype.IsJSON(mediatype.OfPtr(ec.DataContentType)) {
			e.DataEncoded = data // json.RawMessage decoding made it a copy
			break
		}
		// Other media types carry their text as a JSON string.
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			e.DataEncoded = data
			break
		}
		e.DataEncoded = []byte(s)
	}
	if err := Validate(e); err != nil {
		return event.Event{}, err
	}
	return e, nil
}

// str reads member name as a string; null counts as absent.
func str(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok || isNull(raw) {
		return "", false, nil
	}
	s, err := jsonString(raw)
	if err != nil {
		return "", false, invalid("attribute %s must be a string, got %s", name, abbrev(raw))
	}
	return s, true, nil
}

// jsonString decodes a JSON string, without encoding/json's reflection for
// the common case of a string with no escapes.
func jsonString(raw json.RawMessage) (string, error) {
	raw = bytes.Trim(raw, " \t\r\n") // JSON's white space, not Unicode's
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
		inner := raw[1 : len(raw)-1]
		if utf8.Valid(inner) && !hasControl(inner) {
			return string(inner), nil
		}
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func abbrev(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}

// SetAttribute sets a context attribute or, for any other name, a string
// extension, from its canonical string form.
func SetAttribute(ec *event.EventContextV1, name, s string) error {
	return setAttribute(ec, nil, name, s)
}

// Context is an event context with room for the values its optional
// attributes point to, so that reading an event allocates them once. Set
// its attributes with Set and take the result with V1.
type Context struct {
	v1                   event.EventContextV1
	time                 types.Timestamp
	subject, contentType string
}

// NewContext returns an empty Context.
func NewContext() *Context { return &Context{} }

// V1 returns the context. It stays valid, and shares memory with c.
func (c *Context) V1() *event.EventContextV1 { return &c.v1 }

// Set is SetAttribute on c's context.
func (c *Context) Set(name, s string) error { return setAttribute(&c.v1, c, name, s) }

// setAttribute sets name on ec; store, when not nil, holds the values ec's
// optional attributes point to.
func setAttribute(ec *event.EventContextV1, store *Context, name, s string) error {
	switch name {
	case "id":
		ec.ID = s
	case "type":
		ec.Type = s
	case "source":
		if s == "" {
			ec.Source = types.URIRef{}
			return nil
		}
		u, ok := intern.SourceRef(s)
		if !ok {
			return invalid("source %q is not a URI-reference", s)
		}
		ec.Source = u
	case "subject":
		if store != nil {
			store.subject = s
			ec.Subject = &store.subject
			break
		}
		v := s // a copy, so that only this branch moves a string to the heap
		ec.Subject = &v
	case "datacontenttype":
		if store != nil {
			store.contentType = s
			ec.DataContentType = &store.contentType
			break
		}
		v := s
		ec.DataContentType = &v
	case "dataschema":
		u := types.ParseURI(s)
		if u == nil {
			return invalid("dataschema %q is not a URI", s)
		}
		ec.DataSchema = u
	case "time":
		t, err := rfc3339.Parse(s)
		if err != nil {
			return invalid("time %q is not an RFC 3339 timestamp", s)
		}
		if store != nil {
			store.time = types.Timestamp{Time: t}
			ec.Time = &store.time
			break
		}
		ec.Time = &types.Timestamp{Time: t}
	case "specversion":
		if s != event.CloudEventsVersionV1 {
			return invalid("specversion %q is not supported (want \"1.0\")", s)
		}
	default:
		if err := CheckExtensionName(name); err != nil {
			return err
		}
		if ec.Extensions == nil {
			ec.Extensions = make(map[string]any, 2)
		}
		ec.Extensions[name] = s
	}
	return nil
}

// lowerName lower-cases an ASCII attribute name. The spec asks producers for
// lower-case names, but some (Google's audit log samples) send camelCase
// ones; readers accept them, as the CloudEvents SDKs do.
func lowerName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(name)
		}
	}
	return name
}

// CheckExtensionName reports an error unless name is a valid CloudEvents
// attribute name: lower-case letters and digits only.
func CheckExtensionName(name string) error {
	if name == "" {
		return invalid("empty attribute name")
	}
	if name == "data" {
		return invalid("extension name data is reserved")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return invalid("attribute name %q must hold only lower-case letters and digits", name)
		}
	}
	return nil
}

func setJSONExtension(ec *event.EventContextV1, name string, raw json.RawMessage) error {
	if err := CheckExtensionName(name); err != nil {
		return err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil
	}
	var v any
	switch raw[0] {
	case '"':
		s, err := jsonString(raw)
		if err != nil {
			return invalid("extension %s: %v", name, err)
		}
		v = s
	case 't', 'f':
		v = raw[0] == 't'
	case '{', '[':
		return invalid("extension %s must be a string, integer or boolean, got %s", name, abbrev(raw))
	default:
		n, err := strconv.ParseInt(string(raw), 10, 32)
		if err != nil {
			return invalid("extension %s: %s is not a 32-bit integer", name, abbrev(raw))
		}
		v = int32(n)
	}
	if ec.Extensions == nil {
		ec.Extensions = make(map[string]any, 2)
	}
	ec.Extensions[name] = v
	return nil
}

// Validate reports what makes e invalid, naming the attribute: a missing
// id, source or type, an empty subject, a dataschema that is not an
// absolute URI, or a datacontenttype that is not a media type.
func Validate(e event.Event) error {
	ec, ok := e.Context.(*event.EventContextV1)
	if !ok {
		if e.Context == nil {
			return invalid("event has no context")
		}
		if err := e.Validate(); err != nil {
			return invalid("%v", strings.TrimSpace(err.Error()))
		}
		return nil
	}
	for name, err := range e.FieldErrors {
		return invalid("%s: %v", name, err)
	}
	switch {
	case strings.TrimSpace(ec.ID) == "":
		return invalid("missing required attribute id")
	case ec.Source.URL == url.URL{}:
		return invalid("missing required attribute source")
	case strings.TrimSpace(ec.Type) == "":
		return invalid("missing required attribute type")
	case ec.Subject != nil && strings.TrimSpace(*ec.Subject) == "":
		return invalid("subject is set but empty")
	case ec.DataSchema != nil && !ec.DataSchema.URL.IsAbs():
		return invalid("dataschema %q is not an absolute URI", ec.DataSchema.String())
	case ec.DataContentType != nil && !strings.Contains(*ec.DataContentType, "/"):
		return invalid("datacontenttype %q is not a media type", *ec.DataContentType)
	}
	return nil
}

// Marshal returns e in the JSON format, on one line.
func Marshal(e event.Event) ([]byte, error) { return Append(nil, e) }

// Append appends e in the JSON format, on one line, to dst. Data of a JSON
// media type (or none) that is valid JSON is written inline, compacted; data
// of other media types is written as a string when it is UTF-8 text and as
// data_base64 otherwise; data the event marks as binary is always data_base64.
func Append(dst []byte, e event.Event) ([]byte, error) {
	if e.Context == nil {
		return nil, invalid("event has no context")
	}
	dst = append(dst, `{"specversion":`...)
	dst = AppendString(dst, e.SpecVersion())
	dst = appendMember(dst, "id", e.ID())
	dst = appendMember(dst, "source", e.Source())
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
		dst = appendMember(dst, "time", t.Format(time.RFC3339Nano))
	}
	ext := extensionsOf(&e)
	names := make([]string, 0, len(ext))
	for k := range ext {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
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
				return nil, fmt.Errorf("extension %s: %w", k, err)
			}
			dst = AppendString(dst, s)
		}
	}
	data := e.Data()
	if data != nil {
		mt := mediatype.Of(ct)
		switch {
		case !e.DataBase64 && mediatype.IsJSON(mt) && json.Valid(data):
			dst = append(dst, `,"data":`...)
			var buf bytes.Buffer
			_ = json.Compact(&buf, data) // valid: checked above
			dst = append(dst, buf.Bytes()...)
		case !e.DataBase64 && mediatype.IsText(mt) && utf8.Valid(data):
			dst = appendMember(dst, "data", string(data))
		default:
			dst = append(dst, `,"data_base64":"`...)
			dst = base64.StdEncoding.AppendEncode(dst, data)
			dst = append(dst, '"')
		}
	}
	return append(dst, '}'), nil
}

func appendMember(dst []byte, name, val string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return AppendString(dst, val)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
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
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// IsBinaryData reports whether data of content type ct can only be carried
// as data_base64 in the JSON format: it is neither of a JSON media type nor
// valid UTF-8 of a text media type. Data of a JSON media type is taken to be
// JSON without a check, which would cost a full parse on the hot path;
// Append still checks before it writes data inline, and core.Decode reports
// data that is not JSON.
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

// extensionsOf returns e's extensions without the copy e.Extensions() makes.
// The map must not be changed.
func extensionsOf(e *event.Event) map[string]any {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		return ec.Extensions
	}
	return e.Extensions()
}
