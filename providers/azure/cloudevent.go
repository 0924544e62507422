package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// embedded returns the CloudEvent a message carries, if any: a structured
// CloudEvent body (content type application/cloudevents+json, or a JSON
// object with a specversion member), or AMQP binary mode (application
// properties prefixed "cloudEvents:" or "cloudEvents_"). The event gets kind
// unless it has a polyfnkind already.
func embedded(body []byte, ct string, props map[string]json.RawMessage, kind core.EventKind) (core.Event, bool, error) {
	if len(props) > 0 {
		if ev, ok, err := amqpBinary(body, ct, props); ok || err != nil {
			return ev, ok, err
		}
	}
	structured := cehttp.IsCloudEventContentType(ct)
	if !structured {
		if !bytes.Contains(body, []byte(`"specversion"`)) || !looksJSON(body) {
			return core.Event{}, false, nil
		}
	}
	e, err := cejson.Unmarshal(body)
	if err != nil {
		if structured {
			return core.Event{}, false, invalid("message with content type %q: %v", ct, err)
		}
		return core.Event{}, false, nil // a JSON body that merely has a specversion member
	}
	return e, true, nil
}

func withKind(e core.Event, kind core.EventKind) core.Event {
	if e.Context != nil && kind != "" && core.EventKindOf(e) == "" {
		driver.SetKind(&e, kind)
	}
	return e
}

// ceProperty returns the attribute name of an AMQP application property
// of the CloudEvents binary mode ("cloudEvents:id" or "cloudEvents_id"),
// and false for any other property.
func ceProperty(k string) (string, bool) {
	const n = len("cloudEvents:")
	if len(k) > n && (strings.EqualFold(k[:n], "cloudEvents:") || strings.EqualFold(k[:n], "cloudEvents_")) {
		return strings.ToLower(k[n:]), true
	}
	return "", false
}

// amqpBinary reads a CloudEvent in the AMQP binding's binary mode from
// application properties.
func amqpBinary(body []byte, ct string, props map[string]json.RawMessage) (core.Event, bool, error) {
	var attrs [][2]string
	for k, raw := range props {
		if name, ok := ceProperty(k); ok {
			attrs = append(attrs, [2]string{name, scalarString(raw)})
		}
	}
	e, ok, err := binaryEvent(body, ct, attrs)
	if err != nil {
		return e, ok, invalid("application properties (CloudEvents binary mode): %v", err)
	}
	return e, ok, nil
}

// binaryEvent builds the CloudEvent of a message in a binding's binary
// mode from its attributes (name, value), body and content type: no event
// (false) unless the attributes hold specversion. The error names a bad
// attribute, or data that is not the JSON its content type announces.
func binaryEvent(body []byte, ct string, attrs [][2]string) (core.Event, bool, error) {
	found := false
	for _, a := range attrs {
		found = found || a[0] == "specversion"
	}
	if !found {
		return core.Event{}, false, nil
	}
	ec := &event.EventContextV1{}
	for _, a := range attrs {
		if err := cejson.SetAttribute(ec, a[0], a[1]); err != nil {
			return core.Event{}, false, fmt.Errorf("attribute %s: %v", a[0], err)
		}
	}
	if ec.DataContentType == nil && ct != "" {
		ec.DataContentType = &ct
	}
	e := core.Event{Context: ec}
	if body != nil {
		e.DataEncoded = body
		e.DataBase64 = cejson.IsBinaryData(e.DataContentType(), body)
		if !e.DataBase64 && mediatype.IsJSON(mediatype.OfPtr(ec.DataContentType)) && !jsonscan.ValidUTF8(body) {
			return core.Event{}, false, fmt.Errorf("data is not valid JSON, which datacontenttype %q announces", e.DataContentType())
		}
	}
	if err := cejson.Validate(e); err != nil {
		return core.Event{}, false, err
	}
	return e, true, nil
}
