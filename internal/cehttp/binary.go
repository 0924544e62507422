package cehttp

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// ReadBinary decodes a binary-mode message: attributes from ce- headers
// (each given once; values trimmed of SP and HTAB, unquoted when they are
// RFC 7230 quoted-strings, then percent-decoded once), datacontenttype from
// Content-Type, data from body, which must be JSON when Content-Type says
// so. body is kept, not copied. When several headers are wrong, the error
// names the first in name order.
func ReadBinary(h http.Header, body []byte) (event.Event, error) {
	c := cejson.NewContext()
	sawVersion, err := readHeaders(c, h, nil)
	if err != nil {
		if len(h) > 1 {
			_, err = readHeaders(cejson.NewContext(), h, sortedKeys(h))
		}
		return event.Event{}, err
	}
	if !sawVersion {
		if ModeOf(h) == NotCloudEvent {
			return event.Event{}, notCloudEvent(h)
		}
		return event.Event{}, fmt.Errorf("%w: missing required header ce-specversion", cejson.ErrInvalid)
	}
	vs, ok := h["Content-Type"]
	if !ok {
		vs = h.Values("Content-Type")
	}
	var ct string
	switch len(vs) {
	case 0:
	case 1:
		ct = vs[0]
	default:
		return event.Event{}, fmt.Errorf("%w: header Content-Type is given %d times", cejson.ErrInvalid, len(vs))
	}
	if ct = trimOWS(ct); ct != "" {
		if err := c.Set("datacontenttype", ct); err != nil {
			return event.Event{}, fmt.Errorf("header Content-Type: %w", err)
		}
	}
	ec := c.V1()
	switch {
	case ec.ID == "":
		return event.Event{}, missing("id")
	case cejson.NoSource(ec):
		return event.Event{}, missing("source")
	case ec.Type == "":
		return event.Event{}, missing("type")
	}
	if err := c.Check(); err != nil {
		return event.Event{}, err
	}
	e := event.Event{Context: ec}
	if len(body) > 0 {
		if err := cejson.CheckData(ct, body); err != nil {
			return event.Event{}, err
		}
		e.DataEncoded = body
		e.DataBase64 = cejson.IsBinaryData(ct, body)
	}
	return e, nil
}

// missing is the error for a missing required attribute.
func missing(name string) error {
	return fmt.Errorf("%w: missing required header ce-%s", cejson.ErrInvalid, name)
}

// readHeaders sets c's attributes from h's ce- headers, in keys' order, or
// in the map's when keys is nil, and reports whether ce-specversion was
// among them.
func readHeaders(c *cejson.Context, h http.Header, keys []string) (sawVersion bool, err error) {
	read := func(k string, vs []string) error {
		if !isCEHeader(k) || len(vs) == 0 {
			return nil
		}
		if len(vs) > 1 {
			return fmt.Errorf("%w: header %s is given %d times", cejson.ErrInvalid, k, len(vs))
		}
		name := attributeName(k[3:])
		switch name {
		case "datacontenttype":
			return fmt.Errorf("%w: header ce-datacontenttype is not allowed in binary mode; send Content-Type", cejson.ErrInvalid)
		case "specversion":
			sawVersion = true
		}
		v, printable, err := decodeHeaderValue(vs[0])
		if err != nil {
			return fmt.Errorf("%w: header %s: %v", cejson.ErrInvalid, k, err)
		}
		if printable {
			err = c.SetPrintable(name, v)
		} else {
			err = c.Set(name, v)
		}
		if err != nil {
			return fmt.Errorf("header %s: %w", k, err)
		}
		return nil
	}
	if keys == nil {
		for k, vs := range h {
			if err := read(k, vs); err != nil {
				return false, err
			}
		}
		return sawVersion, nil
	}
	for _, k := range keys {
		if err := read(k, h[k]); err != nil {
			return false, err
		}
	}
	return sawVersion, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// WriteBinary writes e as a binary-mode response with the given status.
// Data without a datacontenttype goes without a Content-Type: net/http
// would otherwise sniff one and invent a datacontenttype for the receiver.
// Nothing is written when e cannot be (see SetBinaryHeaders), nor when its
// datacontenttype says JSON and its data is not (cejson.CheckData).
func WriteBinary(w http.ResponseWriter, e *event.Event, status int) error {
	return writeBinary(w, e, status, Trace{}, true)
}

// A Trace is a distributed-tracing extension (traceparent, tracestate)
// WriteValidBinary writes beside an event's attributes. Parent must be a
// valid W3C traceparent; an empty Parent is none.
type Trace struct{ Parent, State string }

// WriteValidBinary is WriteBinary for an event that passed cejson.Validate,
// which checks the extension names and datacontenttype of a version 1.0
// event already: they are not checked again (its data still is). It writes t as e's
// distributed-tracing extension when e has no traceparent of its own: what
// setting the extension on e would write, without changing e.
func WriteValidBinary(w http.ResponseWriter, e *event.Event, status int, t Trace) error {
	return writeBinary(w, e, status, t, false)
}

// writeBinary is WriteBinary with t (see WriteValidBinary), checking e's
// extension names and datacontenttype when check is set.
func writeBinary(w http.ResponseWriter, e *event.Event, status int, t Trace, check bool) error {
	if e.Context == nil {
		return errNoContext()
	}
	data := e.Data()
	if err := cejson.CheckData(e.DataContentType(), data); err != nil {
		return err
	}
	if err := setBinaryHeaders(w.Header(), e, t, check); err != nil {
		return err
	}
	w.WriteHeader(status)
	_, err := w.Write(data)
	return err
}

// errNoContext is the error for an event without a context, made when it
// happens: a package-level fmt.Errorf would run at every start, which a
// WebAssembly build pays for in compile time.
func errNoContext() error { return fmt.Errorf("%w: event has no context", cejson.ErrInvalid) }

// SetBinaryHeaders sets the ce- headers and Content-Type that carry e's
// attributes in binary mode. Values are percent-encoded as the binding
// asks; they share one allocation. Without a datacontenttype, Content-Type
// is set to nil, which net/http writes as no header and takes as "do not
// sniff". It changes nothing, and returns an error wrapping
// cejson.ErrInvalid, when an extension's name is not a valid extension
// name (cejson.CheckExtensionName: it would write a context attribute's
// header, or one that reads back as another name) or when datacontenttype
// is not an RFC 2046 media type (mediatype.Check: it could smuggle a line
// break into the headers).
func SetBinaryHeaders(h http.Header, e *event.Event) error {
	return setBinaryHeaders(h, e, Trace{}, true)
}

// setBinaryHeaders is SetBinaryHeaders, with t as e's distributed-tracing
// extension when e has no traceparent (see WriteValidBinary); it checks
// e's extension names and datacontenttype only when check is set.
func setBinaryHeaders(h http.Header, e *event.Event, t Trace, check bool) error {
	if e.Context == nil {
		return errNoContext()
	}
	exts := extensionsOf(e)
	ct := e.DataContentType()
	if _, v1 := e.Context.(*event.EventContextV1); check || !v1 { // cejson.Validate checks version 1.0 contexts itself
		if err := checkBinary(exts, ct); err != nil {
			return err
		}
	}
	if _, has := exts["traceparent"]; has || t.Parent == "" {
		t = Trace{}
	}
	// Room for id, source, type, Content-Type, one optional attribute, the
	// extensions and the trace; past that, append moves on to a new array
	// (the headers set already keep the old one).
	n := 5 + len(exts)
	if t.Parent != "" {
		n += 2
	}
	vals := make([]string, 0, n)
	setRaw := func(key, v string) { // v needs no percent-encoding
		vals = append(vals, v)
		h[key] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	set := func(key, v string) { setRaw(key, EncodeHeaderValue(v)) }
	if v := e.SpecVersion(); v == event.CloudEventsVersionV1 {
		h["Ce-Specversion"] = specVersion1
	} else {
		set("Ce-Specversion", v)
	}
	set("Ce-Id", e.ID())
	set("Ce-Source", cejson.Source(e))
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
		s, err := extensionText(k, v)
		if err != nil {
			return err
		}
		set(extensionHeader(k), s)
	}
	if t.Parent != "" {
		setRaw("Ce-Traceparent", t.Parent) // a valid traceparent: hexadecimal digits and dashes
		if t.State != "" {
			set("Ce-Tracestate", t.State)
		}
	}
	if ct == "" {
		h["Content-Type"] = nil
		return nil
	}
	setRaw("Content-Type", ct)
	return nil
}

// checkBinary checks what setBinaryHeaders writes that cejson.Validate
// has not checked: the extensions' names and datacontenttype ct.
func checkBinary(exts map[string]any, ct string) error {
	for k := range exts {
		if err := cejson.CheckExtensionName(k); err != nil {
			return err
		}
	}
	if ct != "" {
		if err := mediatype.Check(ct); err != nil {
			return fmt.Errorf("%w: datacontenttype: %v", cejson.ErrInvalid, err)
		}
	}
	return nil
}

// extensionText returns the header text of extension k's value v.
func extensionText(k string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	s, err := types.Format(v)
	if err != nil {
		return "", fmt.Errorf("%w: extension %s: %w", cejson.ErrInvalid, k, err)
	}
	return s, nil
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
