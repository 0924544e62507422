package aws

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

// TypeSQSMessage is the type of an event synthesized from an SQS message.
const TypeSQSMessage = "com.amazonaws.sqs.message"

// sqsRecord is an SQS message as decoded for the mapping. The two attribute
// maps stay raw: the mapping reads a few system attributes and looks at
// message attributes only when they may announce a CloudEvent, and the
// events.SQSMessage that SQSMessageFromContext returns is built on demand.
type sqsRecord struct {
	MessageID              string          `json:"messageId"`
	ReceiptHandle          string          `json:"receiptHandle"`
	Body                   string          `json:"body"`
	Md5OfBody              string          `json:"md5OfBody"`
	Md5OfMessageAttributes string          `json:"md5OfMessageAttributes"`
	Attributes             rawAttributes   `json:"attributes"`
	MessageAttributes      json.RawMessage `json:"messageAttributes"`
	EventSourceARN         string          `json:"eventSourceARN"`
	EventSource            string          `json:"eventSource"`
	AWSRegion              string          `json:"awsRegion"`

	once   sync.Once
	native *events.SQSMessage
}

// rawAttributes holds an SQS message's system attributes: the few the
// mapping uses, read in the same pass as the record, and the raw object for
// SQSMessageFromContext.
type rawAttributes struct {
	ApproximateReceiveCount string
	SentTimestamp           string
	AWSTraceHeader          string
	MessageGroupID          string
	SequenceNumber          string
	raw                     []byte
}

// UnmarshalJSON reads a flat object of strings. encoding/json has already
// checked that b is valid JSON.
func (a *rawAttributes) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	a.raw = append([]byte(nil), b...)
	ok := stringMembers(a.raw, func(k, v []byte) {
		switch string(k) {
		case "ApproximateReceiveCount":
			a.ApproximateReceiveCount = string(v)
		case "SentTimestamp":
			a.SentTimestamp = string(v)
		case "AWSTraceHeader":
			a.AWSTraceHeader = string(v)
		case "MessageGroupId":
			a.MessageGroupID = string(v)
		case "SequenceNumber":
			a.SequenceNumber = string(v)
		}
	})
	if !ok {
		// Not a flat object of plain strings: let encoding/json decide.
		// Values that are not strings are ignored, as the typed decode did.
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		a.ApproximateReceiveCount, a.SentTimestamp, a.AWSTraceHeader = str("ApproximateReceiveCount"), str("SentTimestamp"), str("AWSTraceHeader")
		a.MessageGroupID, a.SequenceNumber = str("MessageGroupId"), str("SequenceNumber")
	}
	return nil
}

// stringMembers calls fn with the name and value of each member of b, a
// valid JSON object whose values are strings. It returns false, having
// perhaps called fn for some members, when a name or value holds an escape
// or a value is not a string; the caller then falls back to encoding/json.
func stringMembers(b []byte, fn func(k, v []byte)) bool {
	ok := true
	end := jsonscan.Object(b, 0, func(name, value []byte) bool {
		v, plain := jsonscan.Plain(value)
		if !plain || bytes.IndexByte(name, '\\') >= 0 {
			ok = false
			return false
		}
		fn(name, v)
		return true
	})
	return ok && end >= 0
}

// message returns the record as an events.SQSMessage, built once.
func (r *sqsRecord) message() *events.SQSMessage {
	r.once.Do(func() {
		m := &events.SQSMessage{MessageId: r.MessageID, ReceiptHandle: r.ReceiptHandle, Body: r.Body, Md5OfBody: r.Md5OfBody,
			Md5OfMessageAttributes: r.Md5OfMessageAttributes, EventSourceARN: r.EventSourceARN, EventSource: r.EventSource, AWSRegion: r.AWSRegion}
		_ = json.Unmarshal(r.Attributes.raw, &m.Attributes)
		_ = json.Unmarshal(r.MessageAttributes, &m.MessageAttributes)
		r.native = m
	})
	return r.native
}

// decodeSQS reads an SQS event: one CloudEvent per message.
func decodeSQS(payload []byte) (*Batch, error) {
	var ev struct {
		Records []sqsRecord `json:"Records"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("SQS event: %s", jsonErr(err))
	}
	if len(ev.Records) == 0 {
		return nil, malformed("SQS event: no Records")
	}
	b := newBatch(SourceSQS, len(ev.Records))
	var bld builder
	bld.reserve(len(ev.Records))
	storage := true
	for i := range ev.Records {
		m := &ev.Records[i]
		if m.EventSource != "" && m.EventSource != "aws:sqs" {
			return nil, unsupported("SQS event: record %d has eventSource %q, not aws:sqs", i, m.EventSource)
		}
		if m.MessageID == "" {
			return nil, malformed("SQS event: record %d has no messageId", i)
		}
		if m.Attributes.MessageGroupID != "" || strings.HasSuffix(m.EventSourceARN, ".fifo") {
			b.fifo = true
		}
		if recs, ok := sqsS3Notification(m); ok {
			// S3 notifications, directly or through SNS: the same events as
			// a direct notification, reported failed by the message's id.
			if err := s3Events(b, &bld, recs, m.MessageID, m); err != nil {
				return nil, prefixErr("SQS event: record "+strconv.Itoa(i)+" (messageId "+m.MessageID+"): S3 notification: ", err)
			}
			continue
		}
		storage = false
		e, err := sqsToEvent(&bld, m)
		if err != nil {
			return nil, malformed("SQS event: record %d (messageId %s): %v", i, m.MessageID, err)
		}
		b.add(e, record{native: m, item: m.MessageID})
	}
	// Records run in order per message group on a FIFO queue; a standard
	// queue's are independent.
	for i := range b.recs {
		m := b.recs[i].native.(*sqsRecord)
		b.recs[i].key = m.MessageID
		if b.fifo {
			b.recs[i].key = m.Attributes.MessageGroupID
		}
	}
	if storage {
		b.trigger = core.TriggerStorage
	}
	return b, nil
}

// sqsS3Notification returns the S3 notification records a message carries,
// itself or in an SNS notification, and whether it carries one (an S3 test
// event carries none). A message whose attributes may name a content type
// or a CloudEvent is not one.
func sqsS3Notification(m *sqsRecord) ([]json.RawMessage, bool) {
	if mayCarryCloudEvent(m.MessageAttributes) {
		return nil, false
	}
	if recs, ok := s3Notification(m.Body); ok {
		return recs, true
	}
	if !strings.Contains(m.Body, `aws:s3`) && !strings.Contains(m.Body, `s3:TestEvent`) {
		return nil, false
	}
	if n, ok := snsEnvelope(m.Body); ok {
		return s3Notification(n.Message)
	}
	return nil, false
}

// mayCarryCloudEvent reports whether raw message attributes may name a
// content type or a ce- attribute; most messages' attributes do not, and
// are then not parsed at all.
func mayCarryCloudEvent(raw json.RawMessage) bool {
	if len(raw) <= 2 {
		return false
	}
	for i := 0; i+3 < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		c0, c1 := raw[i+1]|0x20, raw[i+2]|0x20
		if c0 == 'c' && (c1 == 'e' && (raw[i+3] == '-' || raw[i+3] == '_') || c1 == 'o') {
			return true
		}
	}
	return false
}

// sqsToEvent maps one SQS message: an embedded CloudEvent passes through,
// an SNS notification delivered without raw message delivery maps as an SNS
// notification, and anything else becomes a com.amazonaws.sqs.message event.
func sqsToEvent(bld *builder, m *sqsRecord) (core.Event, error) {
	var ct string
	if mayCarryCloudEvent(m.MessageAttributes) {
		var attrs map[string]events.SQSMessageAttribute
		if err := json.Unmarshal(m.MessageAttributes, &attrs); err != nil {
			return core.Event{}, malformed("messageAttributes: %s", jsonErr(err))
		}
		for name, a := range attrs {
			if a.StringValue != nil && strings.EqualFold(name, "content-type") {
				ct = *a.StringValue
			}
		}
		if e, ok, err := attrEvent(sqsAttrs(attrs), []byte(m.Body)); ok && err == nil {
			return e, nil
		}
	}
	if ct == "" || cehttp.IsCloudEventContentType(ct) {
		if e, ok := structured(m.Body); ok {
			return e, nil
		}
	}
	if ct == "" {
		if n, ok := snsEnvelope(m.Body); ok {
			e, err := snsToEvent(bld, n, "")
			if err != nil {
				return core.Event{}, err
			}
			setEventExt(&e, core.PartitionKeyExtension, m.Attributes.MessageGroupID)
			return e, nil
		}
	}
	e, err := bld.newEvent(m.MessageID, m.EventSourceARN, TypeSQSMessage)
	if err != nil {
		return core.Event{}, err
	}
	a := &m.Attributes
	e.setKind(core.KindQueueMessage)
	e.setTime(parseMillis(a.SentTimestamp))
	e.setExt(core.PartitionKeyExtension, a.MessageGroupID)
	e.setExt(ExtSequence, padSequence(a.SequenceNumber, sqsSequenceWidth))
	if n, err := strconv.ParseInt(a.ApproximateReceiveCount, 10, 32); err == nil {
		e.ec.Extensions[ExtDeliveryCount] = int32(n)
	}
	e.setExt(ExtXRayTrace, a.AWSTraceHeader)
	e.setData([]byte(m.Body), ct)
	return e.event(), nil
}

func sqsAttrs(attrs map[string]events.SQSMessageAttribute) func(func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for name, a := range attrs {
			if a.StringValue == nil {
				continue
			}
			if !yield(name, *a.StringValue) {
				return
			}
		}
	}
}
