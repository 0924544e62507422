package aws

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
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
	// ExtDynamoDBTTL is true on the event of a DynamoDB Streams REMOVE
	// record that DynamoDB's Time to Live process made (userIdentity type
	// Service, principal dynamodb.amazonaws.com), not a user's delete.
	ExtDynamoDBTTL = "awsddbttl"
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
	kafkaSequenceWidth    = 20
)

// builder assembles synthesized events. It caches the last parsed source,
// since the records of a batch share one, and hands out drafts from a slab
// so that a batch's events take one allocation for all their attributes.
type builder struct {
	lastSource string
	lastURI    types.URIRef
	slab       []draft
}

// A draft is a synthesized event being built: its context, and the storage
// of the optional attributes the context points to.
type draft struct {
	ec      event.EventContextV1
	subject string
	ct      string
	ts      types.Timestamp
	data    []byte
	base64  bool
}

// reserve makes room for n more drafts in one allocation.
func (b *builder) reserve(n int) {
	if n > len(b.slab) {
		b.slab = make([]draft, n)
	}
}

// newEvent returns a draft with the required attributes set. The source
// must be a URI-reference (ARNs are).
func (b *builder) newEvent(id, source, typ string) (*draft, error) {
	if id == "" {
		return nil, malformed("missing id")
	}
	if source == "" {
		return nil, malformed("missing source")
	}
	if typ == "" {
		return nil, malformed("missing type")
	}
	if source != b.lastSource || b.lastSource == "" {
		u := types.ParseURIRef(source)
		if u == nil {
			return nil, malformed("source %q is not a URI-reference", source)
		}
		b.lastSource, b.lastURI = source, *u
	}
	if len(b.slab) == 0 {
		b.slab = make([]draft, 1)
	}
	d := &b.slab[0]
	b.slab = b.slab[1:]
	d.ec = event.EventContextV1{ID: id, Source: b.lastURI, Type: typ, Extensions: make(map[string]any, 4)}
	return d, nil
}

// event returns the event d describes.
//
//go:noinline
func (d *draft) event() core.Event {
	return core.Event{Context: &d.ec, DataEncoded: d.data, DataBase64: d.base64}
}

// setExt sets a string extension when v is not empty.
//
// The draft's setters are not inlined: the decoders call them from many
// places, and inlined copies cost more binary size than the calls cost
// time.
//
//go:noinline
func (d *draft) setExt(name, v string) {
	if v != "" {
		d.ec.Extensions[name] = v
	}
}

// setEventExt sets a string extension of a built event when v is not
// empty.
//
//go:noinline
func setEventExt(e *core.Event, name, v string) {
	if v == "" {
		return
	}
	if ec, ok := e.Context.(*event.EventContextV1); ok && ec.Extensions != nil {
		ec.Extensions[name] = v
		return
	}
	e.SetExtension(name, v)
}

// setKind sets the portable kind; the common kinds are boxed once. It is
// not inlined: a batch's decoder calls it in many places.
//
//go:noinline
func (d *draft) setKind(k core.EventKind) {
	if k != "" {
		d.ec.Extensions[core.KindExtension] = kindValue(k)
	}
}

// kindValue returns k as an interface value, without an allocation for
// the kinds this package sets.
func kindValue(k core.EventKind) any {
	switch k {
	case core.KindQueueMessage:
		return string(core.KindQueueMessage)
	case core.KindTopicMessage:
		return string(core.KindTopicMessage)
	case core.KindStreamRecord:
		return string(core.KindStreamRecord)
	case core.KindBusEvent:
		return string(core.KindBusEvent)
	case core.KindScheduleFired:
		return string(core.KindScheduleFired)
	case core.KindStorageObjectCreated:
		return string(core.KindStorageObjectCreated)
	case core.KindStorageObjectDeleted:
		return string(core.KindStorageObjectDeleted)
	case core.KindDBDocumentCreated:
		return string(core.KindDBDocumentCreated)
	case core.KindDBDocumentUpdated:
		return string(core.KindDBDocumentUpdated)
	case core.KindDBDocumentDeleted:
		return string(core.KindDBDocumentDeleted)
	case core.KindHTTPRequest:
		return string(core.KindHTTPRequest)
	}
	return string(k)
}

//go:noinline
func (d *draft) setSubject(s string) {
	if s != "" {
		d.subject = s
		d.ec.Subject = &d.subject
	}
}

//go:noinline
func (d *draft) setTime(t time.Time) {
	if !t.IsZero() {
		d.ts = types.Timestamp{Time: t.UTC()}
		d.ec.Time = &d.ts
	}
}

// setData sets the data and its content type; an empty ct is sniffed.
func (d *draft) setData(data []byte, ct string) {
	if data == nil {
		return
	}
	var binary bool
	if ct == "" {
		ct, binary = sniffContentType(data)
	} else {
		binary = cejson.IsBinaryData(ct, data)
	}
	d.ct = ct
	d.ec.DataContentType = &d.ct
	d.data = data
	d.base64 = binary
}

// sniffContentType returns application/json for JSON, text/plain for other
// UTF-8 text and application/octet-stream for anything else, and whether
// the data is binary (only the last): JSON that is not valid UTF-8 is
// binary too.
func sniffContentType(b []byte) (string, bool) {
	switch {
	case !utf8.Valid(b):
		return "application/octet-stream", true
	case jsonscan.Valid(b):
		return "application/json", false
	}
	return "text/plain; charset=utf-8", false
}

// padSequence left-pads a decimal sequence number with zeros to width.
//
//go:noinline
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
