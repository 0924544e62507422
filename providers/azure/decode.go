package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
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

// Invocation is a decoded invocation request.
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
	var err error
	switch strings.ToLower(b.Type) {
	case strings.ToLower(TypeHTTP):
		err = d.http(raw)
	case strings.ToLower(TypeQueue):
		err = d.queue(raw)
	case strings.ToLower(TypeServiceBus):
		err = d.serviceBus(raw)
	case strings.ToLower(TypeEventHub):
		err = d.eventHub(raw)
	case strings.ToLower(TypeEventGrid):
		err = d.eventGrid(raw)
	case strings.ToLower(TypeTimer):
		err = d.timer(raw)
	case strings.ToLower(TypeBlob):
		err = d.blob(raw)
	case strings.ToLower(TypeCosmosDB):
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
	return strings.Join(keys, ", ")
}

// Infer tells the trigger binding of a request from its shape, for
// functions that declare no trigger: the Data member is the only one (or the
// one shaped like an HTTP request, timer or Event Grid event), and the type
// follows from the value and from Metadata keys only that trigger sends
// (DequeueCount for Queue Storage, PartitionContext for Event Hubs, LockToken
// or DeliveryCount for Service Bus, Uri and Properties for blobs; a bare
// array of documents is a Cosmos DB change feed). Blob values are read as
// base64, Event Hubs and Service Bus bodies as text. Declare the trigger
// when this guess is not enough.
func Infer(req *Request) (Binding, error) {
	name := ""
	var raw json.RawMessage
	for k, v := range req.Data {
		if len(req.Data) == 1 {
			name, raw = k, v
			break
		}
		if o := objectKeys(v); o["Url"] && o["Method"] || o["Schedule"] || o["IsPastDue"] || o["specversion"] || o["eventType"] {
			name, raw = k, v
			break
		}
	}
	if name == "" {
		return Binding{}, invalid("cannot tell which Data member is the trigger (members: %s); declare the function's trigger", dataKeys(req))
	}
	b := Binding{Direction: "in", Name: name, Props: map[string]any{}}
	o := objectKeys(raw)
	m := req.Metadata
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case o["Url"] && o["Method"]:
		b.Type = TypeHTTP
	case o["Schedule"] || o["IsPastDue"]:
		b.Type = TypeTimer
	case o["specversion"] || o["eventType"]:
		b.Type = TypeEventGrid
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
	return b, nil
}

// objectKeys returns the member names of a JSON object, nil otherwise.
func objectKeys(raw json.RawMessage) map[string]bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys
}

func isArrayOfObjects(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' {
		return false
	}
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil || len(items) == 0 {
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

// newEvent starts an event with the required attributes and kind.
func newEvent(id, source, typ string, kind core.EventKind) (core.Event, *event.EventContextV1, error) {
	ec := &event.EventContextV1{ID: id, Type: typ, Extensions: make(map[string]any, 6)}
	src, err := parseSource(source)
	if err != nil {
		return core.Event{}, nil, err
	}
	ec.Source = src
	if kind != "" {
		ec.Extensions[core.KindExtension] = string(kind)
	}
	return core.Event{Context: ec}, ec, nil
}

// sources caches parsed sources: a function's events share a few.
var sources sync.Map // string → types.URIRef

const maxCachedSources = 4096

var cachedSources atomic.Int32

// parseSource parses a source URI-reference, from the cache when it can.
func parseSource(s string) (types.URIRef, error) {
	if v, ok := sources.Load(s); ok {
		return v.(types.URIRef), nil
	}
	ec := &event.EventContextV1{}
	if err := cejson.SetAttribute(ec, "source", s); err != nil {
		return types.URIRef{}, invalid("source: %v", err)
	}
	if cachedSources.Add(1) <= maxCachedSources {
		sources.Store(s, ec.Source)
	}
	return ec.Source, nil
}

func setTime(ec *event.EventContextV1, t time.Time) {
	if !t.IsZero() {
		ec.Time = &types.Timestamp{Time: t}
	}
}

func setString(ec *event.EventContextV1, name, v string) {
	if v != "" {
		ec.Extensions[name] = v
	}
}

// setBody sets the event's data. ct "" is replaced by application/json for
// a JSON object or array, application/octet-stream for binary data and
// text/plain otherwise.
func setBody(e *core.Event, body []byte, ct string, binary bool) {
	if body == nil {
		return
	}
	if ct == "" {
		switch {
		case binary:
			ct = "application/octet-stream"
		case looksJSON(body):
			ct = "application/json"
		default:
			ct = "text/plain; charset=utf-8"
		}
	}
	ec := e.Context.(*event.EventContextV1)
	ec.DataContentType = &ct
	e.DataEncoded = body
	e.DataBase64 = binary || cejson.IsBinaryData(ct, body)
}

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

// amqpBinary reads a CloudEvent in the AMQP binding's binary mode from
// application properties.
func amqpBinary(body []byte, ct string, props map[string]json.RawMessage) (core.Event, bool, error) {
	found := false
	for k := range props {
		if len(k) > 12 && (strings.EqualFold(k[:12], "cloudEvents:") || strings.EqualFold(k[:12], "cloudEvents_")) {
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
		var name string
		switch {
		case len(k) > 12 && strings.EqualFold(k[:12], "cloudEvents:"), len(k) > 12 && strings.EqualFold(k[:12], "cloudEvents_"):
			name = strings.ToLower(k[12:])
		default:
			continue
		}
		v := scalarString(raw)
		if name == "specversion" {
			found = true
		}
		if err := cejson.SetAttribute(ec, name, v); err != nil {
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

func objectMembers(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		if b, _, err := Value(raw); err == nil && len(b) > 0 && b[0] == '{' {
			raw = b
		} else {
			return nil
		}
	}
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	return m
}

// payload decodes a message body: base64 for dataType binary, else text.
func (d *decoder) payload(raw json.RawMessage) ([]byte, error) {
	if d.binary() {
		s, err := unquote(bytes.TrimSpace(raw))
		if err != nil {
			return nil, invalid("binary value is not a base64 string")
		}
		return decodeBase64(s)
	}
	b, _, err := Value(raw)
	return b, err
}

// ---- Queue Storage ----

func (d *decoder) queue(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerQueue
	body, err := d.payload(raw)
	if err != nil {
		return err
	}
	if e, ok, err := embedded(body, "", nil, core.KindQueueMessage); ok || err != nil {
		d.inv.Events = append(d.inv.Events, e)
		return err
	}
	id := d.req.MetaString("Id")
	if id == "" {
		id = d.fallbackID()
	}
	tail := ""
	if q := d.b.Prop("queueName"); q != "" {
		tail = "/queueServices/default/queues/" + q
	}
	e, ec, err := newEvent(id, d.source(tail), TypeQueueMessage, core.KindQueueMessage)
	if err != nil {
		return err
	}
	if t, ok := d.req.MetaTime("InsertionTime"); ok {
		setTime(ec, t)
	}
	if n, ok := d.req.MetaInt("DequeueCount"); ok {
		ec.Extensions["deliverycount"] = int32(n)
	}
	if t, ok := d.req.MetaTime("ExpirationTime"); ok {
		ec.Extensions["expirytime"] = t.Format(time.RFC3339)
	}
	setBody(&e, body, "", d.binary())
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// ---- Service Bus ----

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
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, invalid("batch value is not a JSON array: %v", err)
	}
	return items, nil
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

func (d *decoder) serviceBus(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerQueue
	kind := core.KindQueueMessage
	entity := d.b.Prop("queueName")
	if t := d.b.Prop("topicName"); t != "" || d.src.Kind == core.TriggerTopic {
		d.inv.Trigger, kind = core.TriggerTopic, core.KindTopicMessage
		entity = t + "/subscriptions/" + d.b.Prop("subscriptionName")
		if t != "" {
			entity = "topics/" + entity
		}
	}
	ns := ""
	if c := objectMembers(d.req.Metadata["Client"]); c != nil {
		ns = scalarString(c["FullyQualifiedNamespace"])
	}
	src := ""
	if ns != "" {
		src = "//" + ns
		if entity != "" {
			src += "/" + entity
		}
	}
	src = d.source(src)
	return d.messages(raw, "message", func(body []byte, meta metaAt) (core.Event, error) {
		return d.sbEvent(body, meta, src, kind)
	})
}

func (d *decoder) sbEvent(body []byte, meta metaAt, src string, kind core.EventKind) (core.Event, error) {
	ct := metaString(meta("ContentType"))
	props := objectMembers(meta("ApplicationProperties"))
	if props == nil {
		props = objectMembers(meta("UserProperties"))
	}
	if e, ok, err := embedded(body, ct, props, kind); ok || err != nil {
		return e, err
	}
	id := metaString(meta("MessageId"))
	if id == "" {
		id = d.fallbackID()
	}
	e, ec, err := newEvent(id, src, TypeServiceBusMessage, kind)
	if err != nil {
		return e, err
	}
	subject := metaString(meta("Subject"))
	if subject == "" {
		subject = metaString(meta("Label"))
	}
	if subject != "" {
		ec.Subject = &subject
	}
	if t, err := ParseTime(metaString(meta("EnqueuedTimeUtc"))); err == nil {
		setTime(ec, t)
	}
	pk := metaString(meta("PartitionKey"))
	if pk == "" {
		pk = metaString(meta("SessionId"))
	}
	setString(ec, core.PartitionKeyExtension, pk)
	setString(ec, "sequence", padSequence(metaString(meta("SequenceNumber"))))
	setString(ec, "correlationid", metaString(meta("CorrelationId")))
	if n, ok := metaInt(meta("DeliveryCount")); ok {
		ec.Extensions["deliverycount"] = int32(n)
	}
	if t, err := ParseTime(metaString(meta("ExpiresAtUtc"))); err == nil && !t.IsZero() {
		ec.Extensions["expirytime"] = t.Format(time.RFC3339)
	}
	setBody(&e, body, ct, d.binary())
	return e, nil
}

// ---- Event Hubs ----

func (d *decoder) eventHub(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerStream
	pc := objectMembers(d.req.Metadata["PartitionContext"])
	ns, hub, partition := scalarString(pc["FullyQualifiedNamespace"]), scalarString(pc["EventHubName"]), scalarString(pc["PartitionId"])
	if hub == "" {
		hub = d.b.Prop("eventHubName")
	}
	src := ""
	if ns != "" {
		src = "//" + ns + "/" + hub
	}
	src = d.source(src)
	return d.messages(raw, "event", func(body []byte, meta metaAt) (core.Event, error) {
		return d.ehEvent(body, meta, src, partition)
	})
}

func (d *decoder) ehEvent(body []byte, meta metaAt, src, partition string) (core.Event, error) {
	sys := objectMembers(meta("SystemProperties"))
	ct := scalarString(sys["content-type"])
	if e, ok, err := embedded(body, ct, objectMembers(meta("Properties")), core.KindStreamRecord); ok || err != nil {
		return e, err
	}
	seq := scalarString(meta("SequenceNumber"))
	if seq == "" {
		seq = scalarString(sys["SequenceNumber"])
	}
	id := scalarString(sys["message-id"])
	if id == "" && seq != "" {
		id = partition + "-" + seq
	}
	if id == "" {
		id = d.fallbackID()
	}
	e, ec, err := newEvent(id, src, TypeEventHubMessage, core.KindStreamRecord)
	if err != nil {
		return e, err
	}
	if t, err := ParseTime(scalarString(meta("EnqueuedTimeUtc"))); err == nil {
		setTime(ec, t)
	}
	pk := scalarString(meta("PartitionKey"))
	if pk == "" {
		pk = scalarString(sys["PartitionKey"])
	}
	setString(ec, core.PartitionKeyExtension, pk)
	setString(ec, "sequence", padSequence(seq))
	setString(ec, "partition", partition)
	setBody(&e, body, ct, d.binary())
	return e, nil
}

// ---- Cosmos DB ----

func (d *decoder) cosmos(raw json.RawMessage) error {
	d.inv.Trigger, d.inv.Batch = core.TriggerStream, true
	items, err := records(raw)
	if err != nil {
		return err
	}
	tail := ""
	if c := d.b.Prop("containerName"); c != "" {
		tail = "/sqlDatabases/" + d.b.Prop("databaseName") + "/containers/" + c
	} else if c := d.b.Prop("collectionName"); c != "" {
		tail = "/sqlDatabases/" + d.b.Prop("databaseName") + "/containers/" + c
	}
	src := d.source(tail)
	for i, it := range items {
		var doc struct {
			ID   string      `json:"id"`
			Rid  string      `json:"_rid"`
			Etag string      `json:"_etag"`
			TS   json.Number `json:"_ts"`
			LSN  json.Number `json:"_lsn"`
		}
		if err := json.Unmarshal(it, &doc); err != nil {
			return invalid("document %d is not a JSON object: %v", i, err)
		}
		id := doc.ID
		if doc.Rid != "" {
			id = doc.Rid + "@" + strings.Trim(doc.Etag, `"`)
		}
		if id == "" {
			return invalid("document %d has neither id nor _rid", i)
		}
		e, ec, err := newEvent(id, src, TypeCosmosDBWritten, core.KindDBDocumentWritten)
		if err != nil {
			return err
		}
		if doc.ID != "" {
			s := "docs/" + doc.ID
			ec.Subject = &s
		}
		if ts, err := doc.TS.Int64(); err == nil {
			setTime(ec, time.Unix(ts, 0).UTC())
		}
		setString(ec, "sequence", padSequence(doc.LSN.String()))
		if d.src.PartitionKeyPath != "" {
			setString(ec, core.PartitionKeyExtension, documentPath(it, d.src.PartitionKeyPath))
		}
		setBody(&e, it, "application/json", false)
		d.inv.Events = append(d.inv.Events, e)
	}
	return nil
}

// documentPath returns the scalar at path ("/a/b") in a JSON document, as
// text; "" when absent or not a scalar.
func documentPath(doc json.RawMessage, path string) string {
	raw := doc
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		m := objectMembers(raw)
		if m == nil {
			return ""
		}
		if raw = m[part]; raw == nil {
			return ""
		}
	}
	if r := bytes.TrimSpace(raw); len(r) > 0 && (r[0] == '{' || r[0] == '[') {
		return ""
	}
	return scalarString(raw)
}

// ---- Timer ----

func (d *decoder) timer(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerSchedule
	var ti struct {
		IsPastDue bool
	}
	if err := json.Unmarshal(raw, &ti); err != nil {
		return invalid("timer value is not a TimerInfo object: %v", err)
	}
	sys := d.req.Sys()
	e, ec, err := newEvent(d.fallbackID(), d.source(""), TypeTimerFired, core.KindScheduleFired)
	if err != nil {
		return err
	}
	setTime(ec, sys.UtcNow)
	ec.Extensions["pastdue"] = ti.IsPastDue
	setBody(&e, append([]byte(nil), bytes.TrimSpace(raw)...), "application/json", false)
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// ---- Blob ----

// BlobData is the data of a blob event, shaped like Event Grid's
// Microsoft.Storage.BlobCreated data. The blob's bytes are not in the
// event; a function reads them from the invocation request:
//
//	req, _ := azure.FromContext(ctx)
//	content, err := req.Binary(req.TriggerName)
type BlobData struct {
	URL           string `json:"url"`
	ETag          string `json:"eTag,omitempty"`
	ContentType   string `json:"contentType,omitempty"`
	ContentLength int64  `json:"contentLength"`
	BlobType      string `json:"blobType,omitempty"`
}

func (d *decoder) blob(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerStorage
	uri := d.req.MetaString("Uri")
	props := objectMembers(d.req.Metadata["Properties"])
	u, err := url.Parse(uri)
	if err != nil || uri == "" {
		return invalid("blob metadata Uri %q is not a URL", uri)
	}
	container, name, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if n, err := url.PathUnescape(name); err == nil {
		name = n
	}
	etag := strings.Trim(scalarString(props["ETag"]), `"`)
	data := BlobData{URL: uri, ETag: etag, ContentType: scalarString(props["ContentType"]), BlobType: blobType(scalarString(props["BlobType"]))}
	if n, err := strconv.ParseInt(scalarString(props["Length"]), 10, 64); err == nil {
		data.ContentLength = n
	} else if body, err := d.payload(raw); err == nil {
		data.ContentLength = int64(len(body))
	}
	id := container + "/" + name
	if etag != "" {
		id += "@" + etag
	}
	e, ec, err := newEvent(id, d.source("//"+u.Host), TypeBlobCreated, core.KindStorageObjectCreated)
	if err != nil {
		return err
	}
	subject := "/blobServices/default/containers/" + container + "/blobs/" + name
	ec.Subject = &subject
	if t, err := ParseTime(scalarString(props["LastModified"])); err == nil {
		setTime(ec, t)
	}
	ec.Extensions["dataref"] = uri
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	setBody(&e, b, "application/json", false)
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// blobType names the legacy storage SDK's BlobType enum values the host
// sends as numbers.
func blobType(s string) string {
	switch s {
	case "1":
		return "PageBlob"
	case "2":
		return "BlockBlob"
	case "3":
		return "AppendBlob"
	case "0":
		return ""
	}
	return s
}

// ---- HTTP ----

// HTTPTrigger is the host's JSON rendering of an HTTP request.
type HTTPTrigger struct {
	URL        string              `json:"Url"`
	Method     string              `json:"Method"`
	Query      json.RawMessage     `json:"Query"`
	Headers    map[string][]string `json:"Headers"`
	Params     map[string]*string  `json:"Params"`
	Identities json.RawMessage     `json:"Identities"`
	Body       *string             `json:"Body"`
}

func (d *decoder) http(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerHTTP
	r, body, err := HTTPRequest(context.Background(), raw)
	if err != nil {
		return err
	}
	d.inv.HTTP, d.inv.HTTPBody = r, body
	if cehttp.ModeOf(r.Header) != cehttp.NotCloudEvent {
		evs, mode, err := cehttp.Read(r.Header, body)
		if err != nil {
			return invalid("HTTP request in CloudEvents %s mode: %v", cehttp.ModeOf(r.Header), err)
		}
		for i := range evs {
			evs[i] = withKind(evs[i], core.KindHTTPRequest)
		}
		d.inv.Events, d.inv.Batch = evs, mode == cehttp.Batch
		return nil
	}
	id := d.req.InvocationID
	if id == "" {
		id = d.fallbackID()
	}
	src := *r.URL
	src.RawQuery, src.Fragment = "", ""
	e, ec, err := newEvent(id, d.source(src.String()), TypeHTTPRequest, core.KindHTTPRequest)
	if err != nil {
		return err
	}
	if p := r.URL.Path; p != "" {
		ec.Subject = &p
	}
	setTime(ec, d.req.Sys().UtcNow)
	if len(body) > 0 {
		setBody(&e, body, r.Header.Get("Content-Type"), false)
	}
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// HTTPRequest builds the *http.Request an HTTP trigger value describes: URL,
// method, headers, route parameters as path values (r.PathValue), and the
// body, base64-decoded when the host encoded it (Content-Type
// application/octet-stream or multipart/*). It also returns the body bytes.
func HTTPRequest(ctx context.Context, raw json.RawMessage) (*http.Request, []byte, error) {
	var t HTTPTrigger
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, nil, invalid("HTTP trigger value: %v", err)
	}
	if t.Method == "" || t.URL == "" {
		return nil, nil, invalid("HTTP trigger value has no Method or Url")
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil, nil, invalid("HTTP trigger Url %q: %v", t.URL, err)
	}
	h := make(http.Header, len(t.Headers))
	for k, vs := range t.Headers {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	var body []byte
	if t.Body != nil {
		body = []byte(*t.Body)
		if mt := strings.ToLower(h.Get("Content-Type")); strings.HasPrefix(mt, "application/octet-stream") || strings.HasPrefix(mt, "multipart/") {
			if body, err = decodeBase64(*t.Body); err != nil {
				return nil, nil, invalid("HTTP body of %s: %v", mt, err)
			}
		}
	}
	r, err := http.NewRequestWithContext(ctx, strings.ToUpper(t.Method), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, invalid("HTTP trigger: %v", err)
	}
	r.Header = h
	r.Host = u.Host
	if hv := h.Get("Host"); hv != "" {
		r.Host = hv
	}
	r.RequestURI = u.RequestURI()
	r.ContentLength = int64(len(body))
	if xf := h.Get("X-Forwarded-For"); xf != "" {
		r.RemoteAddr, _, _ = strings.Cut(xf, ",")
	}
	for k, v := range t.Params {
		if v != nil {
			r.SetPathValue(k, *v)
		}
	}
	return r, body, nil
}

// ---- Event Grid ----

func (d *decoder) eventGrid(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerEvent
	o := objectKeys(raw)
	var e core.Event
	var err error
	if o["specversion"] {
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
