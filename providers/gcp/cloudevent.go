package gcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// FromCloudEvent returns the event a function sees for a CloudEvent Google
// delivered. The event passes through unchanged, except that:
//
//   - a known Google type gets the extension "polyfnkind" (see KindOf),
//     unless it already has one;
//   - a Pub/Sub message gets "partitionkey" from its ordering key, and a
//     message that carries a CloudEvent (a "ce-specversion" attribute, a
//     "content-type" attribute of application/cloudevents+json, or data that
//     is a structured CloudEvent) is replaced by that event, unchanged;
//   - a Cloud Storage object event gets "dataref" = gs://bucket/object.
//
// e is not modified; the result may share e's data. The error wraps
// ErrInvalidEvent when a Pub/Sub message claims to carry a CloudEvent that
// is not valid.
func FromCloudEvent(e core.Event) (core.Event, error) {
	if e.Context == nil {
		return e, invalid("event has no context")
	}
	if KindOf(e.Type()) == "" {
		return e, nil
	}
	e.Context = e.Context.Clone()
	err := Normalize(&e)
	return e, err
}

// Normalize is FromCloudEvent in place: it adds polyfn's extensions to e's
// own context, or replaces *e with the CloudEvent a Pub/Sub message
// carries, and so saves FromCloudEvent's copy. Use it on an event nothing
// else refers to. On error *e is unchanged.
func Normalize(e *core.Event) error {
	if e.Context == nil {
		return invalid("event has no context")
	}
	t := e.Type()
	kind := KindOf(t)
	if kind == "" {
		return nil
	}
	switch t {
	case TypePubSubMessagePublished:
		inner, ok, key, err := unwrapPubSub(*e)
		if err != nil {
			return err
		}
		if ok {
			*e = inner
			return nil
		}
		if key != "" {
			setExtension(e, PartitionKeyExtension, key)
		}
	case TypeStorageObjectFinalized, TypeStorageObjectDeleted:
		if _, has := core.Extension(*e, DataRefExtension); !has {
			if ref := storageRef(e.Source(), e.Subject()); ref != "" {
				setExtension(e, DataRefExtension, ref)
			}
		}
	}
	setExtension(e, core.KindExtension, string(kind))
	return nil
}

// setExtension sets a string extension unless e already has it, without
// the SDK's per-call validation (name is one of ours, lower case).
func setExtension(e *core.Event, name, value string) {
	if _, has := core.Extension(*e, name); has {
		return
	}
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		if ec.Extensions == nil {
			ec.Extensions = make(map[string]any, 2)
		}
		ec.Extensions[name] = value
		return
	}
	e.SetExtension(name, value)
}

// storageRef returns gs://bucket/name for source
// //storage.googleapis.com/projects/_/buckets/{bucket} and subject
// objects/{name}, or "".
func storageRef(source, subject string) string {
	_, bucket, ok := strings.Cut(source, "/buckets/")
	name, ok2 := strings.CutPrefix(subject, "objects/")
	if !ok || !ok2 || bucket == "" || name == "" || strings.Contains(bucket, "/") {
		return ""
	}
	return "gs://" + bucket + "/" + name
}

// pubsubMessage is the part of a Pub/Sub message Normalize unwraps.
type pubsubMessage struct {
	Message struct {
		Data       json.RawMessage   `json:"data"`
		Attributes map[string]string `json:"attributes"`
	} `json:"message"`
}

// unwrapPubSub returns the CloudEvent a Pub/Sub message carries per Google's
// Pub/Sub protocol binding, and otherwise the message's ordering key.
func unwrapPubSub(e core.Event) (inner core.Event, ok bool, orderingKey string, err error) {
	data := e.Data()
	if len(data) == 0 || !mediatype.IsJSON(mediatype.Of(e.DataContentType())) {
		return core.Event{}, false, "", nil
	}
	pm, ok := scanPubSub(data)
	if !ok {
		return core.Event{}, false, "", nil // not ours to judge: the function decides
	}
	if !pm.ce && !pm.hasCTAttr && !mayCarryCloudEvent(pm.data) {
		return core.Event{}, false, pm.orderingKey, nil
	}
	var full pubsubMessage
	if err := json.Unmarshal(data, &full); err != nil {
		return core.Event{}, false, pm.orderingKey, nil
	}
	m := &full.Message
	contentType := ""
	binary := false
	for k, v := range m.Attributes {
		switch lk := strings.ToLower(k); {
		case lk == "content-type":
			contentType = v
		case lk == "ce-specversion":
			binary = true
		}
	}
	isStructured := cehttp.IsCloudEventContentType(contentType)
	if !binary && !isStructured && !mayBeObject(m.Data) {
		return core.Event{}, false, pm.orderingKey, nil
	}
	payload, err := decodeBase64JSON(m.Data)
	if err != nil {
		if !binary && !isStructured {
			return core.Event{}, false, pm.orderingKey, nil // the function decides
		}
		return core.Event{}, false, "", invalid("Pub/Sub message %s: data: %v", e.ID(), err)
	}
	switch {
	case binary:
		inner, err = pubsubBinary(m.Attributes, payload)
	case isStructured:
		if strings.HasPrefix(strings.ToLower(contentType), cehttp.BatchContentType) {
			return core.Event{}, false, "", invalid("Pub/Sub message %s: batched CloudEvents (%s) are not supported", e.ID(), contentType)
		}
		inner, err = ParseStructured(payload)
	default:
		// Sniffed: a JSON object that names specversion and parses as a
		// valid CloudEvent; anything else is an ordinary message.
		if !bytes.Contains(payload, []byte(`"specversion"`)) {
			return core.Event{}, false, pm.orderingKey, nil
		}
		inner, err = ParseStructured(payload)
		if err != nil {
			return core.Event{}, false, pm.orderingKey, nil
		}
	}
	if err != nil {
		return core.Event{}, false, "", invalid("Pub/Sub message %s carries an invalid CloudEvent: %v", e.ID(), err)
	}
	return inner, true, "", nil
}

// mayCarryCloudEvent reports whether raw, the JSON value of a message's
// data, may be a structured CloudEvent: a base64 string whose bytes form a
// JSON object that names "specversion". Most messages are told apart from
// one here, without decoding their envelope: the answer is exact but for
// data that merely names specversion, which the caller then parses.
func mayCarryCloudEvent(raw []byte) bool {
	if !mayBeObject(raw) {
		return false
	}
	b64, ok := jsonscan.Plain(raw)
	if !ok {
		u, err := jsonscan.Unquote(raw)
		if err != nil {
			return false
		}
		b64 = u
	}
	var buf [1024]byte
	dst := buf[:]
	if n := base64.StdEncoding.DecodedLen(len(b64)); n > len(buf) {
		dst = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(dst, b64)
	return err == nil && bytes.Contains(dst[:n], []byte(`"specversion"`))
}

// mayBeObject reports whether the base64 JSON string b64 may decode to a
// JSON object: "{" encodes to a leading 'e', and leading space, tab, CR or
// LF to 'I', 'C' or 'D'.
func mayBeObject(b64 []byte) bool {
	if len(b64) < 2 || b64[0] != '"' {
		return false
	}
	switch b64[1] {
	case 'e', 'I', 'C', 'D':
		return true
	}
	return false
}

func decodeBase64JSON(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(s)
}

// pubsubBinary builds the event of a binary-mode Pub/Sub message: ce-
// attributes are the event's attributes, Content-Type its datacontenttype,
// the message data its data.
func pubsubBinary(attrs map[string]string, data []byte) (core.Event, error) {
	ec := &event.EventContextV1{}
	var ct, ceCT string
	for k, v := range attrs {
		lk := strings.ToLower(k)
		switch {
		case lk == "content-type":
			ct = v
		case lk == "ce-datacontenttype":
			ceCT = v
		case strings.HasPrefix(lk, "ce-"):
			if err := cejson.SetAttribute(ec, lk[3:], v); err != nil {
				return core.Event{}, err
			}
		}
	}
	if ct == "" {
		ct = ceCT
	}
	if ct != "" {
		ec.DataContentType = &ct
	}
	e := core.Event{Context: ec}
	if len(data) > 0 {
		e.DataEncoded = data
		e.DataBase64 = cejson.IsBinaryData(ct, data)
	}
	return e, cejson.Validate(e)
}

// ParseStructured parses a CloudEvent in the JSON format. Unlike a strict
// reader it accepts Google's camelCase extension names (methodName,
// resourceName, serviceName, recordedTime on audit log events) by lower-casing
// them, as the CloudEvents naming rule asks. The error wraps ErrInvalidEvent.
func ParseStructured(b []byte) (core.Event, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return core.Event{}, invalid("structured CloudEvent: %v", err)
	}
	if m == nil {
		return core.Event{}, invalid("structured CloudEvent: want a JSON object, got null")
	}
	for k, v := range m {
		if lk := strings.ToLower(k); lk != k {
			if _, taken := m[lk]; !taken {
				delete(m, k)
				m[lk] = v
			}
		}
	}
	e, err := cejson.FromMap(m)
	if err != nil {
		return core.Event{}, invalid("%v", err)
	}
	return e, nil
}

// pubsubFacts is what Normalize needs to know of a Pub/Sub message: read by
// scanPubSub without allocating, where encoding/json would allocate a
// decoder, its parse stack and a map per event.
type pubsubFacts struct {
	orderingKey   string
	data          []byte // message.data's raw JSON value
	ce, hasCTAttr bool   // an attribute named ce-* / content-type (any case)
}

// scanPubSub reads the facts of MessagePublishedData JSON. ok is false when
// b is not a JSON object; members are matched by name case-insensitively,
// and a later duplicate wins, as with encoding/json. It checks the
// structure only (jsonscan does not check how numbers and literals are
// spelled): the facts decide what to try, and whatever unwrapPubSub then
// acts on it decodes with encoding/json.
func scanPubSub(b []byte) (f pubsubFacts, ok bool) {
	end := jsonscan.Object(b, 0, func(name, msg []byte) bool {
		if !bytes.EqualFold(name, []byte("message")) {
			return true
		}
		jsonscan.Object(msg, 0, func(name, value []byte) bool {
			switch {
			case bytes.EqualFold(name, []byte("attributes")):
				jsonscan.Object(value, 0, func(name, _ []byte) bool {
					switch {
					case len(name) >= 3 && bytes.EqualFold(name[:3], []byte("ce-")):
						f.ce = true
					case bytes.EqualFold(name, []byte("content-type")):
						f.hasCTAttr = true
					}
					return true
				})
			case bytes.EqualFold(name, []byte("orderingKey")):
				if s, plain := jsonscan.Plain(value); plain {
					f.orderingKey = string(s)
				} else if s, err := jsonscan.Unquote(value); err == nil {
					f.orderingKey = string(s)
				}
			case bytes.EqualFold(name, []byte("data")):
				f.data = value
			}
			return true
		})
		return true
	})
	return f, end >= 0
}
