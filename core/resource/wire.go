package resource

import (
	"errors"
	"unicode/utf8"

	"gocloud.dev/pubsub"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
)

// A format is how one messaging service carries a CloudEvent in binary
// mode, and the limits past which it goes in structured mode.
type format struct {
	// prefix of the attribute names: "ce-" or "cloudEvents:".
	prefix string
	// contentType is the attribute that carries datacontenttype; "" sets
	// the message's own content type (before, see setContentType).
	contentType string
	// maxAttrs is the most attributes a message may carry; 0: no limit.
	maxAttrs int
	// maxValue is the longest attribute value, in bytes; 0: no limit.
	maxValue int
	// text: the body must be non-empty text (SNS, SQS: XML characters
	// only).
	text bool
	// structuredOnly: the service carries no attributes (Queue Storage).
	structuredOnly bool
	// before returns the hook that sets the message's attributes and
	// content type exactly as m holds them, on the service's own message,
	// after the driver mapped its metadata (which it may escape); nil: the
	// driver's mapping is exact.
	before func(m message) func(as func(any) bool) error
}

// A message is a CloudEvent as one service carries it.
type message struct {
	body        []byte
	attrs       map[string]string
	contentType string // the message's content type, for formats without a contentType attribute
	structured  bool
}

// structuredType is the content type of a structured-mode message.
const structuredType = cehttp.StructuredContentType

// errNoAttributes is a format refusing an event's attributes.
var errNoAttributes = errors.New("too many attributes")

// encode returns e as f carries it: binary mode when it fits, structured
// mode otherwise.
func (f format) encode(e core.Event) (message, error) {
	attrs, err := cehttp.Attributes(&e)
	if err != nil {
		return message{}, err
	}
	m, err := f.binary(e, attrs)
	if err == nil {
		return m, nil
	}
	body, err := cejson.Marshal(e)
	if err != nil {
		return message{}, err
	}
	m = message{body: body, structured: true, attrs: map[string]string{}}
	if f.contentType != "" {
		m.attrs[f.contentType] = structuredType
	} else {
		m.contentType = structuredType
	}
	return m, nil
}

// binary returns e in f's binary mode, or errNoAttributes when it does
// not fit.
func (f format) binary(e core.Event, attrs [][2]string) (message, error) {
	body := e.Data()
	if f.structuredOnly || f.text && (len(body) == 0 || !xmlText(body)) {
		return message{}, errNoAttributes
	}
	m := message{body: body, attrs: make(map[string]string, len(attrs))}
	for _, a := range attrs {
		if f.maxValue > 0 && len(a[1]) > f.maxValue {
			return message{}, errNoAttributes
		}
		if a[0] == "datacontenttype" {
			if f.contentType == "" {
				m.contentType = a[1]
				continue
			}
			m.attrs[f.contentType] = a[1]
			continue
		}
		m.attrs[f.prefix+a[0]] = a[1]
	}
	if f.maxAttrs > 0 && len(m.attrs) > f.maxAttrs {
		return message{}, errNoAttributes
	}
	return m, nil
}

// pubsub returns m as the Go CDK sends it.
func (m message) pubsub(f format) *pubsub.Message {
	pm := &pubsub.Message{Body: m.body, Metadata: m.attrs}
	if pm.Body == nil {
		pm.Body = []byte{}
	}
	if f.before != nil {
		pm.BeforeSend = f.before(m)
	}
	return pm
}

// xmlText reports whether b is UTF-8 made of the characters an SQS
// message may hold: #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD and
// #x10000 to #x10FFFF.
func xmlText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}
