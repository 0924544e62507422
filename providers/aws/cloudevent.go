package aws

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// Extension names polyfn sets on AWS events, besides core.KindExtension and
// core.PartitionKeyExtension.
const (
	// ExtSequence is the CloudEvents sequence extension: a FIFO, Kinesis or
	// DynamoDB sequence number, zero-padded so that strings sort in order.
	ExtSequence = "sequence"
	// ExtDeliveryCount is the SQS ApproximateReceiveCount, as an integer.
	ExtDeliveryCount = "deliverycount"
	// ExtXRayTrace is the SQS AWSTraceHeader system attribute.
	ExtXRayTrace = "awsxraytrace"
	// ExtSNSSubscription is the SNS subscription ARN.
	ExtSNSSubscription = "awssnssubscription"
	// ExtRegion and ExtAccount carry an EventBridge event's region and account.
	ExtRegion  = "region"
	ExtAccount = "account"
	// ExtDynamoDBTable is the ARN of the table a DynamoDB stream belongs to.
	ExtDynamoDBTable = "awsddbtable"
	// ExtS3RawKey is an S3 object key as S3 sent it (URL-encoded), when it
	// differs from the decoded key in subject.
	ExtS3RawKey = "awss3rawkey"
	// ExtDataRef is the CloudEvents dataref extension (s3://bucket/key).
	ExtDataRef = "dataref"
)

// Sequence widths: the longest sequence number each source produces.
const (
	sqsSequenceWidth      = 20
	kinesisSequenceWidth  = 56
	dynamoDBSequenceWidth = 40
)

// builder assembles synthesized events. It caches the last parsed source,
// since the records of a batch share one.
type builder struct {
	lastSource string
	lastURI    types.URIRef
}

// newEvent returns an event with the required attributes set. The source
// must be a URI-reference (ARNs are).
func (b *builder) newEvent(id, source, typ string) (core.Event, error) {
	if id == "" {
		return core.Event{}, malformed("missing id")
	}
	if source == "" {
		return core.Event{}, malformed("missing source")
	}
	if typ == "" {
		return core.Event{}, malformed("missing type")
	}
	if source != b.lastSource || b.lastSource == "" {
		u := types.ParseURIRef(source)
		if u == nil {
			return core.Event{}, malformed("source %q is not a URI-reference", source)
		}
		b.lastSource, b.lastURI = source, *u
	}
	ec := &event.EventContextV1{ID: id, Source: b.lastURI, Type: typ, Extensions: make(map[string]any, 4)}
	return core.Event{Context: ec}, nil
}

func ctx1(e *core.Event) *event.EventContextV1 { return e.Context.(*event.EventContextV1) }

// setExt sets a string extension when v is not empty.
func setExt(e *core.Event, name, v string) {
	if v != "" {
		ctx1(e).Extensions[name] = v
	}
}

func setKind(e *core.Event, k core.EventKind) {
	if k != "" {
		ctx1(e).Extensions[core.KindExtension] = string(k)
	}
}

func setSubject(e *core.Event, s string) {
	if s != "" {
		ctx1(e).Subject = &s
	}
}

func setTime(e *core.Event, t time.Time) {
	if !t.IsZero() {
		ctx1(e).Time = &types.Timestamp{Time: t.UTC()}
	}
}

// setData sets the data and its content type; an empty ct is sniffed.
func setData(e *core.Event, data []byte, ct string) {
	if data == nil {
		return
	}
	var binary bool
	if ct == "" {
		ct, binary = sniffContentType(data)
	} else {
		binary = cejson.IsBinaryData(ct, data)
	}
	ctx1(e).DataContentType = &ct
	e.DataEncoded = data
	e.DataBase64 = binary
}

// sniffContentType returns application/json for JSON, text/plain for other
// UTF-8 text and application/octet-stream for anything else, and whether
// the data is binary (only the last).
func sniffContentType(b []byte) (string, bool) {
	switch {
	case json.Valid(b):
		return "application/json", false
	case utf8.Valid(b):
		return "text/plain; charset=utf-8", false
	}
	return "application/octet-stream", true
}

// padSequence left-pads a decimal sequence number with zeros to width.
func padSequence(s string, width int) string {
	if s == "" || len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}

// structured returns the CloudEvent b holds in the structured JSON format,
// if it holds a valid one. Anything else (including an invalid event) is
// not a CloudEvent: the caller delivers it as plain data.
func structured(s string) (core.Event, bool) {
	t := strings.TrimLeft(s, " \t\r\n")
	if len(t) == 0 || t[0] != '{' || !strings.Contains(t, `"specversion"`) {
		return core.Event{}, false
	}
	e, err := cejson.Unmarshal([]byte(t))
	if err != nil {
		return core.Event{}, false
	}
	return e, true
}

// attrEvent builds a binary-mode event from message attributes named
// ce-<attr> or ce_<attr> (any case) and a content-type attribute; ok is
// false when no ce-specversion attribute is present. A message whose
// attributes claim a CloudEvent but do not make a valid one is an error.
func attrEvent(attrs func(yield func(name, value string) bool), body []byte) (core.Event, bool, error) {
	ec := &event.EventContextV1{}
	var ct string
	var saw bool
	var err error
	attrs(func(name, value string) bool {
		lower := strings.ToLower(name)
		if lower == "content-type" || lower == "content_type" || lower == "contenttype" {
			ct = value
			return true
		}
		if len(lower) <= 3 || !(strings.HasPrefix(lower, "ce-") || strings.HasPrefix(lower, "ce_")) {
			return true
		}
		attr := lower[3:]
		if attr == "specversion" {
			saw = true
		}
		if attr == "datacontenttype" {
			ct = value
			return true
		}
		if e := cejson.SetAttribute(ec, attr, value); e != nil {
			err = e
			return false
		}
		return true
	})
	if !saw {
		return core.Event{}, false, nil
	}
	if err != nil {
		return core.Event{}, true, err
	}
	if ct != "" {
		ec.DataContentType = &ct
	}
	e := core.Event{Context: ec}
	if body != nil {
		e.DataEncoded = body
		e.DataBase64 = cejson.IsBinaryData(ct, body)
	}
	if err := cejson.Validate(e); err != nil {
		return core.Event{}, true, err
	}
	return e, true, nil
}

// parseMillis reads an epoch-milliseconds string; zero time when it is not one.
func parseMillis(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
