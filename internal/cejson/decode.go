package cejson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sync/atomic"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
	"github.com/polyfn/polyfn/internal/rfc3339"
	"github.com/polyfn/polyfn/internal/strview"
)

// checkJSON reports an error unless b is one JSON value in valid UTF-8
// (RFC 8259), naming what is wrong. what names the input in the error.
func checkJSON(b []byte, what string) error {
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return invalid("%s is not valid UTF-8 (byte %d)", what, i)
	}
	if !jsonscan.Valid(b) {
		// encoding/json checks the syntax before it decodes anything: its
		// message names the fault without building a value.
		if err := json.Unmarshal(b, &struct{}{}); err != nil {
			return invalid("%s: %v", what, err)
		}
		return invalid("%s is not valid JSON", what)
	}
	return nil
}

// kindOf names the kind of the JSON value starting with c.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// objDecoder reads the members of one event's JSON object, in order, into
// its Context: no map of raw members, and so no dependence on Go's map
// order.
type objDecoder struct {
	c         *Context
	seen      uint16 // the members of memberNames met so far
	version   bool   // specversion was given, not null
	data, b64 []byte // the raw values of data and data_base64
	err       error
}

// decodeEvent reads the event in obj, a JSON object that checkJSON has
// checked, into c, and validates it.
func decodeEvent(obj []byte, c *Context) (event.Event, error) {
	d := objDecoder{c: c}
	jsonscan.Object(obj, 0, d.member)
	if d.err != nil {
		return event.Event{}, d.err
	}
	return d.finish()
}

func (d *objDecoder) member(name, value []byte) bool {
	if bytes.IndexByte(name, '\\') >= 0 {
		n, _, err := unquote(name)
		if err != nil {
			d.err = invalid("member name %q: %v", name, err)
			return false
		}
		name = n
	}
	d.err = d.set(name, value)
	return d.err == nil
}

// set reads one member; name is unescaped, value is raw JSON.
func (d *objDecoder) set(name, value []byte) error {
	k := memberIndex(name)
	if k < 0 {
		low, changed := lowerName(name)
		if changed && memberIndex(low) >= 0 {
			return invalid("member %q spells the attribute %s in another case: context attribute names are lower-case", name, low)
		}
		return d.extension(name, low, value)
	}
	if d.seen&(1<<k) != 0 {
		return invalid("member %q is given twice", name)
	}
	d.seen |= 1 << k
	switch k {
	case memData:
		d.data = value
		return nil
	case memDataBase64:
		d.b64 = value
		return nil
	}
	if value[0] == 'n' {
		return nil // null reads as unset
	}
	if value[0] != '"' {
		return invalid("attribute %s must be a string, got %s", memberNames[k], abbrev(value))
	}
	s, _, err := unquote(value[1 : len(value)-1])
	if err != nil {
		return invalid("attribute %s: %v", memberNames[k], err)
	}
	var v string
	switch k {
	case attrSpecVersion:
		if string(s) != event.CloudEventsVersionV1 {
			return invalid("specversion %q is not supported (want \"1.0\")", s)
		}
		d.version = true
		return nil
	case attrTime:
		t, err := rfc3339.ParseBytes(s)
		if err != nil {
			return invalid("time %q is not an RFC 3339 timestamp", s)
		}
		return d.c.setTime(t)
	case attrSource:
		v = recentSource.get(s)
	case attrType:
		v = recentType.get(s)
	case attrDataContentType:
		v = recentContentType.get(s)
	default:
		v = string(s)
	}
	return setAttribute(&d.c.v1, d.c, memberNames[k], v, false)
}

// extension reads an extension member named name, lower-cased as low.
func (d *objDecoder) extension(name, low, value []byte) error {
	key := extensionNames.Bytes(low)
	if err := CheckExtensionName(key); err != nil {
		return err
	}
	var v any
	switch value[0] {
	case 'n':
		return nil // null reads as unset
	case '"':
		s, _, err := unquote(value[1 : len(value)-1])
		if err == nil {
			err = checkText(strview.Of(s))
		}
		if err != nil {
			return invalid("extension %s: %v", key, err)
		}
		v = string(s)
	case 't', 'f':
		v = value[0] == 't'
	case '{', '[':
		return invalid("extension %s must be a string, integer or boolean, got %s", key, abbrev(value))
	default:
		n, ok := int32Of(value)
		if !ok {
			return invalid("extension %s: %s is not a 32-bit integer", key, abbrev(value))
		}
		v = n
	}
	ext := d.c.v1.Extensions
	if _, dup := ext[key]; dup {
		return invalid("member %q gives extension %s twice: extension names are read case-insensitively", name, key)
	}
	if ext == nil {
		ext = make(map[string]any, 2)
		d.c.v1.Extensions = ext
	}
	ext[key] = v
	return nil
}

// int32Of reads a JSON number that is an integer, without fraction or
// exponent, within 32 bits.
func int32Of(b []byte) (int32, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 10 || b[0] == '0' && len(b) > 1 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// finish checks the members read and sets the event's data.
func (d *objDecoder) finish() (event.Event, error) {
	if !d.version {
		return event.Event{}, invalid("missing required attribute specversion")
	}
	ec := &d.c.v1
	e := event.Event{Context: ec}
	hasB64 := d.b64 != nil && d.b64[0] != 'n'
	ct := mediatype.OfPtr(ec.DataContentType)
	switch {
	case d.data != nil && hasB64:
		return event.Event{}, invalid("data and data_base64 are both set; they are mutually exclusive")
	case hasB64:
		data, err := decodeBase64(d.b64)
		if err != nil {
			return event.Event{}, err
		}
		if ct != "" {
			if err := CheckData(ct, data); err != nil {
				return event.Event{}, err
			}
		}
		e.DataEncoded, e.DataBase64 = data, true
	case d.data == nil:
	case mediatype.IsJSON(ct):
		// The JSON value itself; checkJSON has checked it.
		e.DataEncoded = bytes.Clone(d.data)
	case d.data[0] == '"':
		s, fresh, err := unquote(d.data[1 : len(d.data)-1])
		if err != nil {
			return event.Event{}, invalid("data: %v", err)
		}
		if !fresh {
			s = bytes.Clone(s)
		}
		e.DataEncoded = s
	case d.data[0] == 'n':
		// null: no data of a media type that is not JSON.
	default:
		return event.Event{}, invalid("data of datacontenttype %q must be a JSON string, got %s", *ec.DataContentType, kindOf(d.data[0]))
	}
	if err := checkRequired(ec); err != nil {
		return event.Event{}, err
	}
	return e, nil
}

// decodeBase64 reads data_base64: a JSON string of base64 (RFC 4648,
// standard alphabet, padded) with nothing else inside, not even the line
// breaks that encoding/base64 skips.
func decodeBase64(raw []byte) ([]byte, error) {
	if raw[0] != '"' {
		return nil, invalid("data_base64 must be a string, got %s", abbrev(raw))
	}
	s, _, err := unquote(raw[1 : len(raw)-1])
	if err != nil {
		return nil, invalid("data_base64: %v", err)
	}
	if i := bytes.IndexAny(s, "\r\n"); i >= 0 {
		return nil, invalid("data_base64: line break at byte %d: base64 must be one unbroken string", i)
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Strict().Decode(out, s)
	if err != nil {
		return nil, invalid("data_base64: %v", err)
	}
	return out[:n], nil
}

// validJSON reports whether b is one JSON value in valid UTF-8.
func validJSON(b []byte) bool { return jsonscan.ValidUTF8(b) }

// extensionNames are the extension names polyfn and its platforms send
// most: reading them does not allocate.
var extensionNames = intern.NewSet("traceparent", "tracestate", "partitionkey", "polyfnkind", "sequence",
	"dataref", "expirytime", "recordedtime", "correlationid", "causationid", "deliverycount", "authtype", "authid")

// recent remembers the last string it made from bytes, so that the
// attributes a stream of events repeats (source, type, datacontenttype)
// are not copied again. It is safe for concurrent use.
type recent struct{ p atomic.Pointer[string] }

func (r *recent) get(b []byte) string {
	if p := r.p.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	r.p.Store(&s)
	return s
}

var recentSource, recentType, recentContentType recent

// CheckData reports an error when ct, a datacontenttype or Content-Type,
// names a JSON media type (application/json, text/json, */*+json) and data
// is not one JSON value in valid UTF-8. An empty ct announces nothing, and
// empty data is no data: neither is checked.
func CheckData(ct string, data []byte) error {
	if ct == "" || len(data) == 0 || !mediatype.IsJSON(mediatype.Of(ct)) || validJSON(data) {
		return nil
	}
	return invalid("data is not valid JSON, which its media type %q announces", ct)
}

// Check reports what Validate would about an event of c's context whose
// attributes were all set with Set, which checks each as it sets it: a
// missing id, source or type, an empty subject, a relative dataschema.
func (c *Context) Check() error { return checkRequired(&c.v1) }
