package azure

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
)

// embedded returns the CloudEvent a message carries, if any: a structured
// CloudEvent body (content type application/cloudevents+json, or a JSON
// object with a specversion member), or AMQP binary mode (application
// properties prefixed "cloudEvents:" or "cloudEvents_"). The event gets kind
// unless it has a polyfnkind already.
func embedded(body []byte, ct string, props map[string]json.RawMessage, kind core.EventKind) (core.Event, bool, error) {
	if len(props) > 0 {
		if ev, ok, err := amqpBinary(body, ct, props); ok || err != nil {
			return withKind(ev, kind), ok, err
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
	return withKind(e, kind), true, nil
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
	found := false
	for k := range props {
		if _, ok := ceProperty(k); ok {
			found = true
			break
		}
	}
	if !found {
		return core.Event{}, false, nil
	}
	found = false
	ec := &event.EventContextV1{}
	for k, raw := range props {
		name, ok := ceProperty(k)
		if !ok {
			continue
		}
		if name == "specversion" {
			found = true
		}
		if err := cejson.SetAttribute(ec, name, scalarString(raw)); err != nil {
			return core.Event{}, false, invalid("application property %s: %v", k, err)
		}
	}
	if !found {
		return core.Event{}, false, nil
	}
	if ec.DataContentType == nil && ct != "" {
		ec.DataContentType = &ct
	}
	e := core.Event{Context: ec}
	if body != nil {
		e.DataEncoded = body
		e.DataBase64 = cejson.IsBinaryData(e.DataContentType(), body)
	}
	if err := cejson.Validate(e); err != nil {
		return core.Event{}, false, err
	}
	return e, true, nil
}
