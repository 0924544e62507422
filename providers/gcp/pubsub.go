package gcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// envelope is what one walk of Pub/Sub MessagePublishedData JSON (or a push
// envelope) finds, without decoding it: the raw values Normalize and the
// payload reader need.
type envelope struct {
	data        []byte // message.data's raw JSON value; nil when absent
	contentType []byte // the content-type attribute, unquoted; nil for none
	orderingKey string
	found       bool // there is a message object
	binary      bool // a ce-specversion or cloudEvents:specversion attribute
	// valid is true when encoding/json would decode the envelope into
	// {message: {data []byte, attributes map[string]string}}, but for the
	// base64 of data, which message checks.
	valid bool
}

// scanEnvelope walks b, MessagePublishedData JSON, once. Member names match
// case-insensitively (escapes undone) and a later duplicate wins, as with
// encoding/json: a null message starts afresh, a null attributes object
// forgets the attributes. It checks the structure only, not how every
// number and literal is spelled (see jsonscan): the envelope comes from
// Pub/Sub, and whatever acts on more than these facts decodes with
// encoding/json. ok is false when b is no JSON object.
func scanEnvelope(b []byte) (env envelope, ok bool) {
	env.valid = true
	end := jsonscan.Object(b, 0, func(name, msg []byte) bool {
		if !nameIs(name, "message") {
			return true
		}
		if string(msg) == "null" {
			env = envelope{valid: env.valid}
			return true
		}
		if msg[0] != '{' {
			env.valid = false
			return true
		}
		env.found = true
		jsonscan.Object(msg, 0, func(name, value []byte) bool {
			switch {
			case nameIs(name, "data"):
				env.data = value
				if value[0] != '"' && string(value) != "null" {
					env.valid = false
				}
			case nameIs(name, "attributes"):
				env.attributes(value)
			case nameIs(name, "orderingKey"):
				if s, plain := jsonscan.Plain(value); plain {
					env.orderingKey = string(s)
				} else if s, err := jsonscan.Unquote(value); err == nil {
					env.orderingKey = string(s)
				}
			}
			return true
		})
		return true
	})
	return env, end >= 0
}

// attributes reads the attributes object raw (or null) into env: its
// content-type, whether it names CloudEvents attributes, whether every
// value is a string (or null, which encoding/json leaves as "").
func (env *envelope) attributes(raw []byte) {
	if string(raw) == "null" {
		env.contentType, env.binary = nil, false
		return
	}
	if raw[0] != '{' {
		env.valid = false
		return
	}
	jsonscan.Object(raw, 0, func(name, value []byte) bool {
		var v []byte
		switch {
		case value[0] == '"':
			var err error
			if v, err = jsonscan.Unquote(value); err != nil {
				env.valid = false
				return false
			}
		case string(value) == "null":
			v = []byte{}
		default:
			env.valid = false
			return false
		}
		if bytes.IndexByte(name, '\\') >= 0 {
			u, err := jsonscan.Unquote(append(append([]byte{'"'}, name...), '"'))
			if err != nil {
				env.valid = false
				return false
			}
			name = u
		}
		if bytes.EqualFold(name, []byte("content-type")) {
			env.contentType = v
		}
		if p := cloudEventsPrefix(name); p > 0 && bytes.EqualFold(name[p:], []byte("specversion")) {
			env.binary = true
		}
		return true
	})
}

// The prefixes of Pub/Sub attributes that carry CloudEvents attributes in
// binary mode: "ce-" (Google's Pub/Sub protocol binding) and "cloudEvents:"
// (the AMQP binding's, kept by messages bridged from AMQP brokers).
const (
	prefixCE   = "ce-"
	prefixAMQP = "cloudevents:"
)

// cloudEventsPrefix returns the length of key's CloudEvents prefix (any
// case), or 0 when key has none.
func cloudEventsPrefix(key []byte) int {
	for _, p := range [...]string{prefixCE, prefixAMQP} {
		if len(key) > len(p) && bytes.EqualFold(key[:len(p)], []byte(p)) {
			return len(p)
		}
	}
	return 0
}

// message is a Pub/Sub message decoded once: its data, base64 undone, and
// its content-type attribute. Normalize decodes it, and keeps it for the
// payload reader (see payloads).
type message struct {
	data        []byte
	contentType []byte
}

// decode returns env's message, base64 undone. ok is false when env is not
// a valid envelope (see envelope.valid) or data is not standard base64
// (line breaks ignored, as encoding/json does).
func (env *envelope) decode() (m message, ok bool) {
	if !env.found || !env.valid {
		return m, false
	}
	m.contentType = env.contentType
	if env.data == nil || string(env.data) == "null" {
		return m, true
	}
	s, plain := jsonscan.Plain(env.data)
	if !plain {
		u, err := jsonscan.Unquote(env.data)
		if err != nil {
			return m, false
		}
		s = u
	}
	m.data = make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(m.data, s)
	m.data = m.data[:n]
	return m, err == nil
}

// mediaType returns the media type of m's data: its content-type
// attribute's, else application/json for JSON, text/plain for other UTF-8
// text and application/octet-stream for the rest.
func (m *message) mediaType() string {
	if m.contentType != nil {
		if mt := mediatype.Of(string(m.contentType)); mt != "" {
			return mt
		}
	}
	switch {
	case len(m.data) > 0 && jsonscan.Valid(m.data):
		return "application/json"
	case len(m.data) > 0 && utf8.Valid(m.data):
		return "text/plain"
	}
	return "application/octet-stream"
}

// unwrapPubSub returns the CloudEvent a Pub/Sub message carries, per
// Google's Pub/Sub protocol binding (ce- attributes for binary mode, a
// content-type attribute of application/cloudevents+json for structured
// mode) or because its data is a structured CloudEvent (a JSON object
// naming specversion that parses as one). Otherwise it returns the
// message's ordering key and, when the envelope is valid, the message
// decoded, which Normalize keeps for the payload reader. It looks before
// it decodes: one walk of the envelope and one base64 decoding of the data
// decide, and only a message that carries a CloudEvent is decoded further.
func unwrapPubSub(e core.Event) (inner core.Event, carries bool, orderingKey string, m message, decoded bool, err error) {
	data := e.Data()
	if len(data) == 0 || !mediatype.IsJSON(mediatype.Of(e.DataContentType())) {
		return inner, false, "", m, false, nil
	}
	env, ok := scanEnvelope(data)
	if !ok {
		return inner, false, "", m, false, nil // not ours to judge: the function decides
	}
	m, decoded = env.decode()
	structured := env.contentType != nil && cehttp.IsCloudEventContentType(string(env.contentType))
	switch {
	case env.binary:
		if !decoded {
			return inner, false, "", m, false, invalid("Pub/Sub message %s: the envelope of a binary-mode CloudEvent is not valid", e.ID())
		}
		inner, err = pubsubBinary(data, m)
	case structured:
		if !decoded {
			return inner, false, "", m, false, invalid("Pub/Sub message %s: the envelope of a structured CloudEvent is not valid", e.ID())
		}
		if mediatype.Of(string(env.contentType)) == cehttp.BatchContentType {
			return inner, false, "", m, false, invalid("Pub/Sub message %s: batched CloudEvents (%s) are not supported", e.ID(), env.contentType)
		}
		inner, err = ParseStructured(m.data)
	case decoded && mayBeCloudEvent(m.data):
		// Sniffed: a valid CloudEvent passes through; anything else is an
		// ordinary message.
		if inner, err = ParseStructured(m.data); err == nil {
			return inner, true, "", m, true, nil
		}
		return core.Event{}, false, env.orderingKey, m, true, nil
	default:
		return inner, false, env.orderingKey, m, decoded, nil
	}
	if err != nil {
		return core.Event{}, false, "", m, false, invalid("Pub/Sub message %s carries an invalid CloudEvent: %v", e.ID(), err)
	}
	return inner, true, "", m, true, nil
}

// mayBeCloudEvent is the cheap look at a message's first bytes: a JSON
// object (after white space) that names specversion.
func mayBeCloudEvent(data []byte) bool {
	i := jsonscan.SkipSpace(data, 0)
	return i < len(data) && data[i] == '{' && bytes.Contains(data[i:], []byte(`"specversion"`))
}

// pubsubBinary builds the event of a binary-mode Pub/Sub message: its
// CloudEvents attributes (ce- or cloudEvents: prefixed; ce- wins when both
// name one) are the event's attributes, its content-type attribute the
// datacontenttype, its data the event's data. It reads the attributes from
// the envelope with encoding/json, so that repeated members merge as
// encoding/json merges them.
func pubsubBinary(envelopeJSON []byte, m message) (core.Event, error) {
	var full struct {
		Message struct {
			Attributes map[string]string `json:"attributes"`
		} `json:"message"`
	}
	if err := json.Unmarshal(envelopeJSON, &full); err != nil {
		return core.Event{}, err
	}
	// Keys in sorted order, AMQP spelling first: the outcome does not
	// depend on map order, and a ce- attribute overrides its AMQP twin.
	keys := make([]string, 0, len(full.Message.Attributes))
	for k := range full.Message.Attributes {
		if cloudEventsPrefix([]byte(k)) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		pi, pj := cloudEventsPrefix([]byte(keys[i])), cloudEventsPrefix([]byte(keys[j]))
		if pi != pj {
			return pi > pj
		}
		return keys[i] < keys[j]
	})
	attrs := make(map[string]string, len(keys))
	for _, k := range keys {
		attrs[strings.ToLower(k[cloudEventsPrefix([]byte(k)):])] = full.Message.Attributes[k]
	}
	ceCT := attrs["datacontenttype"]
	delete(attrs, "datacontenttype")
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	ec := &event.EventContextV1{}
	for _, n := range names {
		if err := cejson.SetAttribute(ec, n, attrs[n]); err != nil {
			return core.Event{}, err
		}
	}
	ct := string(m.contentType)
	if ct == "" {
		ct = ceCT
	}
	if ct != "" {
		ec.DataContentType = &ct
	}
	e := core.Event{Context: ec}
	if len(m.data) > 0 {
		e.DataEncoded = m.data
		e.DataBase64 = cejson.IsBinaryData(ct, m.data)
	}
	return e, cejson.Validate(e)
}
