package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// CloudEvents types of synthesized events.
const (
	TypeQueueMessage      = "com.microsoft.azure.queuestorage.message"
	TypeServiceBusMessage = "com.microsoft.azure.servicebus.message"
	TypeEventHubMessage   = "com.microsoft.azure.eventhub.message"
	TypeTimerFired        = "com.microsoft.azure.functions.timer.fired"
	TypeCosmosDBWritten   = "com.microsoft.azure.cosmosdb.document.written"
	TypeHTTPRequest       = "com.microsoft.azure.functions.http.request"
	TypeBlobCreated       = "Microsoft.Storage.BlobCreated"
	TypeBlobDeleted       = "Microsoft.Storage.BlobDeleted"
)

// Invocation is a decoded invocation request: the events to run, and what
// encoding their results into the host's answer needs (see
// [Invocation.Response]).
type Invocation struct {
	// Binding is the trigger binding that fired, declared or inferred.
	Binding Binding
	// Trigger is the neutral kind of that trigger.
	Trigger core.TriggerKind
	// Events are the CloudEvents to deliver, one per record.
	Events []core.Event
	// Batch is true when the trigger delivers many records at once (Event
	// Hubs and Service Bus with cardinality many, Cosmos DB, a CloudEvents
	// batch over HTTP): the invocation succeeds only if every record does.
	Batch bool
	// HTTP is the request of an HTTP trigger, nil for other triggers. Its
	// body is readable once.
	HTTP *http.Request
	// HTTPBody is the HTTP request's body.
	HTTPBody []byte

	one   [1]core.Event // Events of a single-record trigger, in the same allocation
	kafka []KafkaRecord // the records of a Kafka trigger, index-aligned with Events
}

// Ordered reports whether the records of the batch must run in order per
// partition key and stop at a failure: Event Hubs and Cosmos DB, whose
// checkpoints move forward only.
func (inv *Invocation) Ordered() bool { return inv.Trigger == core.TriggerStream }

// Options returns the driver.RunBatch options for the invocation's batch:
// for an ordered source (see Ordered), records with the same partitionkey
// run in order and a failure stops the later records of its key. A Kafka
// record runs with its KafkaRecord in its context (KafkaRecordFromContext).
// The runtime adds the function's batch concurrency.
func (inv *Invocation) Options() driver.BatchOptions {
	o := driver.BatchOptions{StopOnFailure: inv.Ordered()}
	if recs := inv.kafka; len(recs) == len(inv.Events) && len(recs) > 0 {
		o.Context = func(ctx context.Context, i int) context.Context {
			return context.WithValue(ctx, kafkaKey{}, &recs[i])
		}
	}
	return o
}

// Decode turns an invocation request into the CloudEvents the function
// receives. src says which trigger binding to read; when src.Trigger.Type is
// "" the trigger is inferred from the request's shape (see [Infer]). Errors
// wrap ErrInvalidRequest and name the binding and value at fault.
func Decode(req *Request, src Source) (*Invocation, error) {
	b := src.Trigger
	if b.Type == "" {
		var err error
		if b, err = Infer(req); err != nil {
			return nil, err
		}
	}
	raw, ok := req.Data[b.Name]
	req.TriggerName = b.Name
	if !ok {
		if len(req.Data) != 1 {
			return nil, invalid("Data has no member %q for the %s binding (members: %s)", b.Name, b.Type, dataKeys(req))
		}
		for k, v := range req.Data {
			req.TriggerName, raw = k, v
		}
	}
	d := decoder{req: req, src: src, b: b, inv: &Invocation{Binding: b}}
	d.inv.Events = d.inv.one[:0]
	var err error
	switch {
	case strings.EqualFold(b.Type, TypeQueue):
		err = d.queue(raw)
	case strings.EqualFold(b.Type, TypeHTTP):
		err = d.http(raw)
	case strings.EqualFold(b.Type, TypeServiceBus):
		hd := d // the closures of these decoders move it to the heap; d stays on the stack
		err = hd.serviceBus(raw)
	case strings.EqualFold(b.Type, TypeEventHub):
		hd := d
		err = hd.eventHub(raw)
	case strings.EqualFold(b.Type, TypeKafka):
		hd := d
		err = hd.kafka(raw)
	case strings.EqualFold(b.Type, TypeEventGrid):
		err = d.eventGrid(raw)
	case strings.EqualFold(b.Type, TypeTimer):
		err = d.timer(raw)
	case strings.EqualFold(b.Type, TypeBlob):
		err = d.blob(raw)
	case strings.EqualFold(b.Type, TypeCosmosDB):
		err = d.cosmos(raw)
	default:
		return nil, invalid("trigger type %q is not supported", b.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s binding %q: %w", b.Type, b.Name, err)
	}
	return d.inv, nil
}

func dataKeys(req *Request) string {
	keys := make([]string, 0, len(req.Data))
	for k := range req.Data {
		keys = append(keys, strconv.Quote(k))
	}
	if len(keys) == 0 {
		return "none"
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// Infer tells the trigger binding of a request from its shape, for
// functions that declare no trigger: the Data member is the only one (or the
// one shaped like an HTTP request, timer or Event Grid event), and the type
// follows from the value and from Metadata keys only that trigger sends
// (DequeueCount for Queue Storage, PartitionContext for Event Hubs, LockToken
// or DeliveryCount for Service Bus, Topic and Offset for Kafka, Uri and
// Properties for blobs; a bare array of documents is a Cosmos DB change
// feed). Blob values are read as base64, Event Hubs, Service Bus and Kafka
// bodies as text. Declare the trigger
// when this guess is not enough.
func Infer(req *Request) (Binding, error) {
	name := ""
	var raw json.RawMessage
	for k, v := range req.Data {
		if len(req.Data) == 1 {
			name, raw = k, v
			break
		}
		if s := shapeOf(v); s != 0 {
			name, raw = k, v
			break
		}
	}
	if name == "" {
		return Binding{}, invalid("cannot tell which Data member is the trigger (members: %s); declare the function's trigger", dataKeys(req))
	}
	b := Binding{Direction: "in", Name: name, Props: map[string]any{}}
	m := req.Metadata
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch shapeOf(raw) {
	case shapeHTTP:
		b.Type = TypeHTTP
	case shapeTimer:
		b.Type = TypeTimer
	case shapeEventGrid:
		b.Type = TypeEventGrid
	default:
		switch {
		case has("DequeueCount") || has("PopReceipt"):
			b.Type = TypeQueue
		case has("PartitionContext"):
			b.Type = TypeEventHub
			b.Props["cardinality"] = "one"
			if has("SequenceNumberArray") || has("OffsetArray") {
				b.Props["cardinality"] = "many"
			}
		case has("LockTokenArray") || has("DeliveryCountArray") || has("MessageIdArray"):
			b.Type = TypeServiceBus
			b.Props["cardinality"] = "many"
		case has("LockToken") || has("DeliveryCount") || has("MessageId"):
			b.Type = TypeServiceBus
		// After Service Bus: it lifts a JSON body's members into Metadata.
		case has("TopicArray") && has("OffsetArray") || has("Topic") && has("Offset") && has("Partition"):
			b.Type = TypeKafka
			b.Props["cardinality"] = "one"
			if has("TopicArray") {
				b.Props["cardinality"] = "many"
			}
		case has("Uri") && has("Properties"):
			b.Type = TypeBlob
			b.Props["dataType"] = "binary"
		default:
			if p, _, err := Value(raw); err == nil && isArrayOfObjects(p) {
				b.Type = TypeCosmosDB
				break
			}
			return Binding{}, invalid("cannot tell the trigger of Data member %q from the request's shape; declare the function's trigger", name)
		}
	}
	return b, nil
}

// The shapes of trigger values Infer recognises by their members.
const (
	shapeHTTP = iota + 1
	shapeTimer
	shapeEventGrid
)

// shapeOf tells an HTTP request (Url and Method), a TimerInfo (Schedule or
// IsPastDue) or an Event Grid event (specversion or eventType) by the
// members of the JSON object raw; 0 for anything else.
func shapeOf(raw json.RawMessage) int {
	var url, method, timer, grid bool
	jsonscan.Object(raw, 0, func(name, _ []byte) bool {
		switch string(name) {
		case "Url":
			url = true
		case "Method":
			method = true
		case "Schedule", "IsPastDue":
			timer = true
		case "specversion", "eventType":
			grid = true
		}
		return true
	})
	switch {
	case url && method:
		return shapeHTTP
	case timer:
		return shapeTimer
	case grid:
		return shapeEventGrid
	}
	return 0
}

func isArrayOfObjects(b []byte) bool {
	items, err := array(bytes.TrimSpace(b), "value")
	if err != nil || len(items) == 0 {
		return false
	}
	for _, it := range items {
		if len(it) == 0 || it[0] != '{' {
			return false
		}
	}
	return true
}

type decoder struct {
	req *Request
	src Source
	b   Binding
	inv *Invocation
}

// binary reports whether the binding declares dataType binary.
func (d *decoder) binary() bool { return strings.EqualFold(d.b.Prop("dataType"), "binary") }

// many reports whether the binding declares cardinality many.
func (d *decoder) many() bool { return strings.EqualFold(d.b.Prop("cardinality"), "many") }

// source returns the configured ARM resource, else fallback, else a path
// naming the function.
func (d *decoder) source(fallback string) string {
	switch {
	case d.src.Resource != "":
		return d.src.Resource
	case fallback != "":
		return fallback
	}
	fn := d.src.Function
	if fn == "" {
		fn = d.req.Sys().MethodName
	}
	return "/functions/" + fn
}

// fallbackID is the id of an event whose trigger has none of its own:
// sys.RandGuid, else the invocation id, else a hash of the trigger value.
func (d *decoder) fallbackID() string {
	if s := d.req.Sys().RandGuid; s != "" {
		return s
	}
	if d.req.InvocationID != "" {
		return d.req.InvocationID
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(d.src.Function))
	_, _ = h.Write(d.req.Data[d.b.Name])
	return "polyfn-" + strconv.FormatUint(h.Sum64(), 16)
}

// evctx is an event context with room for what its optional attributes
// point to, so that a synthesized event's context is one allocation.
type evctx struct {
	v1      event.EventContextV1
	time    types.Timestamp
	subject string
	ct      string
}

// newEvent starts an event with the required attributes and kind.
func newEvent(id, source, typ string, kind core.EventKind) (core.Event, *evctx, error) {
	c := &evctx{v1: event.EventContextV1{ID: id, Type: typ, Extensions: make(map[string]any, 6)}}
	if err := cejson.SetAttribute(&c.v1, "source", source); err != nil {
		return core.Event{}, nil, invalid("source: %v", err)
	}
	if kind != "" {
		c.v1.Extensions[core.KindExtension] = kindValue(kind)
	}
	return core.Event{Context: &c.v1}, c, nil
}

// kindValues are the portable kinds the decoders set, boxed once.
var kindValues = map[core.EventKind]any{}

func init() {
	for _, k := range []core.EventKind{core.KindHTTPRequest, core.KindQueueMessage, core.KindTopicMessage, core.KindBusEvent,
		core.KindScheduleFired, core.KindStreamRecord, core.KindStorageObjectCreated, core.KindStorageObjectDeleted, core.KindDBDocumentWritten} {
		kindValues[k] = string(k)
	}
}

// kindValue returns k as the string an extension holds, without
// allocating for the kinds the decoders set.
func kindValue(k core.EventKind) any {
	if v, ok := kindValues[k]; ok {
		return v
	}
	return string(k)
}

func (c *evctx) setTime(t time.Time) {
	if !t.IsZero() {
		c.time = types.Timestamp{Time: t}
		c.v1.Time = &c.time
	}
}

func (c *evctx) setSubject(s string) {
	if s != "" {
		c.subject = s
		c.v1.Subject = &c.subject
	}
}

func (c *evctx) setString(name, v string) {
	if v != "" {
		c.v1.Extensions[name] = v
	}
}

// setBody sets the event's data. ct "" (or a sender's content type that
// is no media type) is replaced by application/json for a JSON object or
// array, application/octet-stream for binary data and text/plain otherwise.
// Data a JSON media type labels must be JSON: otherwise the error says so
// (a permanent failure: delivering it again cannot help).
func (c *evctx) setBody(e *core.Event, body []byte, ct string, binary bool) error {
	if body == nil {
		return nil
	}
	if !strings.Contains(ct, "/") || mediatype.Check(ct) != nil {
		switch {
		case binary:
			ct = "application/octet-stream"
		case looksJSON(body):
			ct = "application/json"
		default:
			ct = "text/plain; charset=utf-8"
		}
	}
	c.ct = ct
	c.v1.DataContentType = &c.ct
	e.DataEncoded = body
	e.DataBase64 = binary || cejson.IsBinaryData(ct, body)
	if !e.DataBase64 && mediatype.IsJSON(mediatype.Of(ct)) && !jsonscan.ValidUTF8(body) {
		return invalid("data is not valid JSON, which its content type %q announces", ct)
	}
	return nil
}

// payload decodes a message body: base64 for dataType binary, else text.
func (d *decoder) payload(raw json.RawMessage) ([]byte, error) {
	if d.binary() {
		return base64Value(raw)
	}
	b, _, err := Value(raw)
	return b, err
}

// metaAt returns metadata for record i of a batch (the key's "Array"
// variant) or, for single-record triggers, the key itself.
type metaAt func(key string) json.RawMessage

func (d *decoder) batchMeta() func(i int) metaAt {
	cache := map[string][]json.RawMessage{}
	return func(i int) metaAt {
		return func(key string) json.RawMessage {
			items, ok := cache[key]
			if !ok {
				// Metadata is best effort: a malformed array reads as absent.
				items, _ = metaArray(d.req.Metadata[key+"Array"])
				cache[key] = items
			}
			return at(items, i)
		}
	}
}

// records splits a batch value (JSON text of an array) into items.
func records(raw json.RawMessage) ([]json.RawMessage, error) {
	b, _, err := Value(raw)
	if err != nil {
		return nil, err
	}
	return array(bytes.TrimSpace(b), "batch value")
}

// item decodes one batch element: base64 for dataType binary, a JSON string
// as its text, anything else as JSON.
func (d *decoder) item(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if d.binary() {
		return d.payload(raw)
	}
	if len(raw) > 0 && raw[0] == '"' {
		b, _, err := Value(raw)
		return b, err
	}
	if string(raw) == "null" {
		return nil, nil
	}
	return raw, nil
}

// messages decodes the trigger value raw — one message, or with cardinality
// many an array of them with index-aligned metadata — into events with
// build; noun names an element in errors.
func (d *decoder) messages(raw json.RawMessage, noun string, build func(body []byte, meta metaAt) (core.Event, error)) error {
	if !d.many() {
		body, err := d.payload(raw)
		if err != nil {
			return err
		}
		e, err := build(body, func(k string) json.RawMessage { return d.req.Metadata[k] })
		if err != nil {
			return err
		}
		d.inv.Events = append(d.inv.Events, e)
		return nil
	}
	d.inv.Batch = true
	items, err := records(raw)
	if err != nil {
		return err
	}
	metaFor := d.batchMeta()
	d.inv.Events = make([]core.Event, 0, len(items))
	for i, it := range items {
		body, err := d.item(it)
		if err != nil {
			return fmt.Errorf("%s %d: %w", noun, i, err)
		}
		e, err := build(body, metaFor(i))
		if err != nil {
			return fmt.Errorf("%s %d: %w", noun, i, err)
		}
		d.inv.Events = append(d.inv.Events, e)
	}
	return nil
}
