package aws

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
)

// TypeSNSPrefix starts the type of an event synthesized from an SNS
// message; the SNS message Type follows ("Notification").
const TypeSNSPrefix = "com.amazonaws.sns."

// decodeSNS reads an SNS event: one CloudEvent per record.
func decodeSNS(payload []byte) (*Batch, error) {
	var ev events.SNSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("SNS event: %s", jsonErr(err))
	}
	if len(ev.Records) == 0 {
		return nil, malformed("SNS event: no Records")
	}
	b := &Batch{Source: SourceSNS, Events: make([]core.Event, len(ev.Records)), recs: make([]record, len(ev.Records))}
	var bld builder
	for i := range ev.Records {
		r := &ev.Records[i]
		if r.EventSource != "" && r.EventSource != "aws:sns" {
			return nil, unsupported("SNS event: record %d has EventSource %q, not aws:sns", i, r.EventSource)
		}
		e, err := snsToEvent(&bld, &r.SNS, r.EventSubscriptionArn)
		if err != nil {
			return nil, malformed("SNS event: record %d: %v", i, err)
		}
		b.Events[i] = e
		b.recs[i] = record{native: r, item: r.SNS.MessageID}
	}
	return b, nil
}

// snsEnvelope recognises an SNS notification JSON document, as SQS
// delivers it when raw message delivery is off.
func snsEnvelope(body string) (*events.SNSEntity, bool) {
	t := strings.TrimLeft(body, " \t\r\n")
	if !strings.HasPrefix(t, "{") || !strings.Contains(t, `"TopicArn"`) {
		return nil, false
	}
	var n events.SNSEntity
	if json.Unmarshal([]byte(t), &n) != nil || n.Type == "" || n.TopicArn == "" || n.MessageID == "" {
		return nil, false
	}
	return &n, true
}

// snsToEvent maps an SNS message; a CloudEvent it carries (ce- message
// attributes, or a structured CloudEvent message) passes through.
func snsToEvent(bld *builder, n *events.SNSEntity, subscription string) (core.Event, error) {
	var ct string
	for name, v := range n.MessageAttributes {
		if strings.EqualFold(name, "content-type") {
			ct, _ = snsAttrValue(v)
		}
	}
	if len(n.MessageAttributes) > 0 {
		if e, ok, err := attrEvent(snsAttrs(n.MessageAttributes), []byte(n.Message)); ok && err == nil {
			return e, nil
		}
	}
	if ct == "" || cehttp.IsCloudEventContentType(ct) {
		if e, ok := structured(n.Message); ok {
			return e, nil
		}
	}
	typ := n.Type
	if typ == "" {
		typ = "Notification"
	}
	e, err := bld.newEvent(n.MessageID, n.TopicArn, TypeSNSPrefix+typ)
	if err != nil {
		return core.Event{}, err
	}
	e.setKind(core.KindTopicMessage)
	e.setSubject(n.Subject)
	e.setTime(n.Timestamp)
	e.setExt(ExtSNSSubscription, subscription)
	e.setData([]byte(n.Message), ct)
	return e.event(), nil
}

// snsAttrValue reads the Value of an SNS message attribute
// ({"Type": "String", "Value": "..."}).
func snsAttrValue(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	if t, _ := m["Type"].(string); t == "Binary" {
		return "", false
	}
	s, ok := m["Value"].(string)
	return s, ok
}

func snsAttrs(attrs map[string]any) func(func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for name, v := range attrs {
			s, ok := snsAttrValue(v)
			if !ok {
				continue
			}
			if !yield(name, s) {
				return
			}
		}
	}
}
