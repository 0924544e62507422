package azure

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/messaging"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// FromCloudEventSchema converts an Event Grid event in the CloudEvents 1.0
// schema, read with azcore's messaging.CloudEvent, into a core.Event. The
// event passes through unchanged, plus polyfnkind (storage.object.created /
// deleted for blob events, bus.event otherwise) when it has none.
func FromCloudEventSchema(raw json.RawMessage) (core.Event, error) {
	var ce messaging.CloudEvent
	if err := json.Unmarshal(raw, &ce); err != nil {
		return core.Event{}, invalid("Event Grid CloudEvents-schema event: %v", err)
	}
	var probe struct {
		B64 *json.RawMessage `json:"data_base64"`
	}
	_ = json.Unmarshal(raw, &probe)
	return fromMessaging(ce, probe.B64 != nil)
}

// fromMessaging converts an azcore CloudEvent. base64 says whether Data came
// from data_base64 (bytes) rather than data (raw JSON).
func fromMessaging(ce messaging.CloudEvent, base64 bool) (core.Event, error) {
	if ce.SpecVersion != event.CloudEventsVersionV1 {
		return core.Event{}, invalid("specversion %q is not supported (want \"1.0\")", ce.SpecVersion)
	}
	ec := &event.EventContextV1{ID: ce.ID, Type: ce.Type}
	if err := cejson.SetAttribute(ec, "source", ce.Source); err != nil {
		return core.Event{}, err
	}
	ec.Subject, ec.DataContentType = ce.Subject, ce.DataContentType
	if ce.DataSchema != nil {
		if err := cejson.SetAttribute(ec, "dataschema", *ce.DataSchema); err != nil {
			return core.Event{}, err
		}
	}
	if ce.Time != nil {
		ec.Time = &types.Timestamp{Time: ce.Time.UTC()}
	}
	for k, v := range ce.Extensions {
		name := strings.ToLower(k)
		if err := cejson.CheckExtensionName(name); err != nil {
			return core.Event{}, err
		}
		var val any
		switch x := v.(type) {
		case nil:
			continue
		case string, bool:
			val = x
		case float64:
			if x == math.Trunc(x) && x >= math.MinInt32 && x <= math.MaxInt32 {
				val = int32(x)
			} else {
				val = strconv.FormatFloat(x, 'g', -1, 64)
			}
		default:
			b, _ := json.Marshal(x)
			val = string(b)
		}
		if ec.Extensions == nil {
			ec.Extensions = make(map[string]any, len(ce.Extensions)+1)
		}
		ec.Extensions[name] = val
	}
	e := core.Event{Context: ec}
	if data, ok := ce.Data.([]byte); ok {
		switch {
		case base64:
			e.DataEncoded, e.DataBase64 = data, true
		case mediatype.IsJSON(mediatype.OfPtr(ec.DataContentType)):
			e.DataEncoded = data
		default:
			// Other media types carry their text as a JSON string.
			var s string
			if json.Unmarshal(data, &s) == nil {
				e.DataEncoded = []byte(s)
			} else {
				e.DataEncoded = data
			}
		}
	}
	e = withKind(e, carriedKind(ce.Type))
	if err := cejson.Validate(e); err != nil {
		return core.Event{}, err
	}
	return e, nil
}

// EventGridEvent is an event in the Event Grid schema.
type EventGridEvent struct {
	ID              string          `json:"id"`
	Topic           string          `json:"topic"`
	Subject         string          `json:"subject"`
	EventType       string          `json:"eventType"`
	EventTime       string          `json:"eventTime"`
	Data            json.RawMessage `json:"data"`
	DataVersion     string          `json:"dataVersion"`
	MetadataVersion string          `json:"metadataVersion"`
}

// FromEventGridSchema converts an event in the Event Grid schema: id, type
// = eventType, source = topic, subject, time = eventTime, data (JSON),
// dataVersion in the extension dataversion, and polyfnkind.
func FromEventGridSchema(raw json.RawMessage) (core.Event, error) {
	var g EventGridEvent
	if err := json.Unmarshal(raw, &g); err != nil {
		return core.Event{}, invalid("Event Grid event: %v", err)
	}
	if g.ID == "" || g.EventType == "" {
		return core.Event{}, invalid("Event Grid event needs id and eventType")
	}
	src := g.Topic
	if src == "" {
		src = "/eventgrid"
	}
	e, c, err := newEvent(g.ID, src, g.EventType, eventGridKind(g.EventType))
	if err != nil {
		return e, err
	}
	c.setSubject(g.Subject)
	if g.EventTime != "" {
		t, err := ParseTime(g.EventTime)
		if err != nil {
			return e, err
		}
		c.setTime(t)
	}
	c.setString("dataversion", g.DataVersion)
	if d := bytes.TrimSpace(g.Data); len(d) > 0 && string(d) != "null" {
		if err := c.setBody(&e, d, "application/json", false); err != nil {
			return e, err
		}
	}
	return e, nil
}

// ToCloudEventSchema converts e into azcore's messaging.CloudEvent, for
// publishing to Event Grid: JSON data as json.RawMessage (so it is written
// as "data", not "data_base64"), binary data as []byte.
func ToCloudEventSchema(e core.Event) messaging.CloudEvent {
	ce := messaging.CloudEvent{ID: e.ID(), Source: e.Source(), SpecVersion: e.SpecVersion(), Type: e.Type()}
	if s := e.Subject(); s != "" {
		ce.Subject = &s
	}
	if s := e.DataContentType(); s != "" {
		ce.DataContentType = &s
	}
	if s := e.DataSchema(); s != "" {
		ce.DataSchema = &s
	}
	if t := e.Time(); !t.IsZero() {
		t = t.UTC().Truncate(time.Nanosecond)
		ce.Time = &t
	}
	if ext := e.Extensions(); len(ext) > 0 {
		ce.Extensions = ext
	}
	if data := e.Data(); data != nil {
		if !e.DataBase64 && mediatype.IsJSON(mediatype.OfPtr(ce.DataContentType)) && jsonscan.Valid(data) {
			ce.Data = json.RawMessage(data)
		} else {
			ce.Data = data
		}
	}
	return ce
}

// eventGrid decodes an Event Grid event, in the CloudEvents schema (passed
// through) or the Event Grid schema.
func (d *decoder) eventGrid(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerEvent
	var e core.Event
	var err error
	if hasMember(raw, "specversion") {
		e, err = FromCloudEventSchema(raw)
	} else {
		e, err = FromEventGridSchema(raw)
	}
	if err != nil {
		return err
	}
	if d.src.Resource != "" && e.Source() == "" {
		e.SetSource(d.src.Resource)
	}
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// hasMember reports whether the JSON object raw has a member name.
func hasMember(raw json.RawMessage, name string) bool {
	return member(raw, name) != nil
}

// carriedKind is the portable kind a CloudEvents-schema event of type typ
// gets: the blob events' storage kinds, as Google's storage events get
// theirs; any other event, a published one included, passes through
// unchanged.
func carriedKind(typ string) core.EventKind {
	if k := eventGridKind(typ); k != core.KindBusEvent {
		return k
	}
	return ""
}

// eventGridKind is the portable kind of an Event Grid event type.
func eventGridKind(typ string) core.EventKind {
	switch typ {
	case TypeBlobCreated:
		return core.KindStorageObjectCreated
	case TypeBlobDeleted:
		return core.KindStorageObjectDeleted
	}
	return core.KindBusEvent
}
