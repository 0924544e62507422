package azurehost

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// QueueMessage is a Queue Storage message and its metadata.
type QueueMessage struct {
	ID, PopReceipt                             string
	DequeueCount                               int
	InsertionTime, ExpirationTime, NextVisible time.Time
	Body                                       []byte
}

// Queue builds a queueTrigger invocation: the message text double-encoded
// under binding, the message metadata, and the top-level members of a JSON
// message lifted into Metadata, as the host does.
func Queue(binding string, m QueueMessage) Request {
	r := NewRequest().Set(binding, string(m.Body)).
		Meta("DequeueCount", m.DequeueCount).
		Meta("Id", m.ID).
		Meta("PopReceipt", m.PopReceipt)
	for k, t := range map[string]time.Time{"InsertionTime": m.InsertionTime, "ExpirationTime": m.ExpirationTime, "NextVisibleTime": m.NextVisible} {
		if !t.IsZero() {
			r = r.Meta(k, DateTimeOffset(t.UTC()))
		}
	}
	return r.liftProps(m.Body)
}

// ServiceBusMessage is a Service Bus message and its metadata.
type ServiceBusMessage struct {
	MessageID, ContentType, CorrelationID, Subject, SessionID, PartitionKey string
	DeliveryCount                                                           int
	SequenceNumber                                                          int64
	EnqueuedTime, ExpiresAt                                                 time.Time
	ApplicationProperties                                                   map[string]any
	Body                                                                    []byte
}

// ServiceBusNamespace is the namespace the Service Bus helpers put in
// Metadata.Client.
const ServiceBusNamespace = "polyfn.servicebus.windows.net"

func serviceBusClient() json.RawMessage {
	return Encode(map[string]any{"FullyQualifiedNamespace": ServiceBusNamespace, "IsClosed": false, "TransportType": 0, "Identifier": ServiceBusNamespace + "-0"})
}

// ServiceBus builds a serviceBusTrigger invocation with cardinality one.
func ServiceBus(binding string, m ServiceBusMessage) Request {
	r := NewRequest().Set(binding, string(m.Body))
	for _, k := range []string{"MessageReceiver", "MessageSession", "MessageActions", "SessionActions", "ReceiveActions"} {
		r.Metadata[k] = json.RawMessage("{}")
	}
	r.Metadata["Client"] = serviceBusClient()
	props := m.ApplicationProperties
	if props == nil {
		props = map[string]any{}
	}
	r = r.Meta("DeliveryCount", m.DeliveryCount).
		Meta("LockToken", "00000000-0000-0000-0000-00000000000a").
		Meta("MessageId", m.MessageID).
		Meta("ContentType", m.ContentType).
		Meta("CorrelationId", m.CorrelationID).
		Meta("Subject", m.Subject).
		Meta("Label", m.Subject).
		Meta("SessionId", m.SessionID).
		Meta("PartitionKey", m.PartitionKey).
		Meta("SequenceNumber", m.SequenceNumber).
		Meta("ApplicationProperties", props).
		Meta("UserProperties", props)
	if !m.EnqueuedTime.IsZero() {
		r = r.Meta("EnqueuedTimeUtc", m.EnqueuedTime.UTC()).Meta("EnqueuedTime", DateTimeOffset(m.EnqueuedTime.UTC()))
	}
	if !m.ExpiresAt.IsZero() {
		r = r.Meta("ExpiresAtUtc", m.ExpiresAt.UTC()).Meta("ExpiresAt", DateTimeOffset(m.ExpiresAt.UTC()))
	}
	return r.liftProps(m.Body)
}

// ServiceBusBatch builds a serviceBusTrigger invocation with cardinality
// many: the bodies as JSON text of a string array, and every metadata key
// with an "Array" suffix holding JSON text of an array, index-aligned.
func ServiceBusBatch(binding string, ms []ServiceBusMessage) Request {
	bodies := make([]string, len(ms))
	ids, cts, corr, subj, pks, sess := make([]any, len(ms)), make([]any, len(ms)), make([]any, len(ms)), make([]any, len(ms)), make([]any, len(ms)), make([]any, len(ms))
	dc, seq, enq := make([]int, len(ms)), make([]int64, len(ms)), make([]string, len(ms))
	props := make([]map[string]any, len(ms))
	for i, m := range ms {
		bodies[i] = string(m.Body)
		ids[i], cts[i], corr[i], subj[i], pks[i] = nilIfEmpty(m.MessageID), nilIfEmpty(m.ContentType), nilIfEmpty(m.CorrelationID), nilIfEmpty(m.Subject), nilIfEmpty(m.PartitionKey)
		sess[i] = nilIfEmpty(m.SessionID)
		dc[i], seq[i] = m.DeliveryCount, m.SequenceNumber
		enq[i] = m.EnqueuedTime.UTC().Format("2006-01-02T15:04:05")
		props[i] = m.ApplicationProperties
		if props[i] == nil {
			props[i] = map[string]any{}
		}
	}
	r := NewRequest().Set(binding, bodies)
	r.Metadata["Client"] = serviceBusClient()
	return r.Meta("MessageIdArray", ids).Meta("ContentTypeArray", cts).Meta("CorrelationIdArray", corr).
		Meta("SubjectArray", subj).Meta("PartitionKeyArray", pks).Meta("SessionIdArray", sess).Meta("DeliveryCountArray", dc).
		Meta("SequenceNumberArray", seq).Meta("EnqueuedTimeUtcArray", enq).Meta("ApplicationPropertiesArray", props)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// EventHubEvent is an Event Hubs event and its metadata. MessageID, when
// set, is the AMQP message-id the sender gave the event, which the host
// passes in SystemProperties["message-id"].
type EventHubEvent struct {
	MessageID      string
	SequenceNumber int64
	Offset         string
	PartitionKey   string
	EnqueuedTime   time.Time
	Properties     map[string]any
	Body           []byte
}

// PartitionContext is the Event Hubs partition an invocation reads.
type PartitionContext struct {
	FullyQualifiedNamespace, EventHubName, ConsumerGroup, PartitionId string
}

func (e EventHubEvent) system() map[string]any {
	var pk any
	if e.PartitionKey != "" {
		pk = e.PartitionKey
	}
	m := map[string]any{
		"x-opt-sequence-number": e.SequenceNumber, "x-opt-offset": e.Offset, "x-opt-enqueued-time": e.EnqueuedTime.UTC().Format(time.RFC3339Nano),
		"SequenceNumber": e.SequenceNumber, "Offset": e.Offset, "PartitionKey": pk, "EnqueuedTimeUtc": e.EnqueuedTime.UTC().Format("2006-01-02T15:04:05.9999999"),
	}
	if e.MessageID != "" {
		m["message-id"] = e.MessageID
	}
	return m
}

// EventHub builds an eventHubTrigger invocation with cardinality one. With
// binary true (dataType "binary") the body is sent as base64.
func EventHub(binding string, pc PartitionContext, e EventHubEvent, binary bool) Request {
	r := NewRequest()
	if binary {
		r = r.Set(binding, e.Body)
	} else {
		r = r.Set(binding, string(e.Body))
	}
	props := e.Properties
	if props == nil {
		props = map[string]any{}
	}
	r.Metadata["PartitionContext"] = Encode(pc)
	return r.Meta("Offset", e.Offset).Meta("SequenceNumber", e.SequenceNumber).Meta("EnqueuedTimeUtc", e.EnqueuedTime.UTC()).
		Meta("PartitionKey", e.PartitionKey).Meta("Properties", props).Meta("SystemProperties", e.system())
}

// EventHubBatch builds an eventHubTrigger invocation with cardinality many:
// Data is JSON text of the array of bodies — JSON bodies inline, or strings
// for dataType "string", or base64 strings for dataType "binary" — and each
// metadata key gets an "Array" twin holding JSON text of an array.
func EventHubBatch(binding string, pc PartitionContext, es []EventHubEvent, dataType string) Request {
	items := make([]json.RawMessage, len(es))
	pks, offs, seqs, enq := make([]any, len(es)), make([]string, len(es)), make([]int64, len(es)), make([]string, len(es))
	props, sys := make([]map[string]any, len(es)), make([]map[string]any, len(es))
	for i, e := range es {
		switch dataType {
		case "binary":
			items[i] = quote(base64.StdEncoding.EncodeToString(e.Body))
		case "string":
			items[i] = quote(string(e.Body))
		default:
			items[i] = json.RawMessage(e.Body)
		}
		pks[i], offs[i], seqs[i] = nilIfEmpty(e.PartitionKey), e.Offset, e.SequenceNumber
		enq[i] = e.EnqueuedTime.UTC().Format("2006-01-02T15:04:05.9999999")
		props[i], sys[i] = e.Properties, e.system()
		if props[i] == nil {
			props[i] = map[string]any{}
		}
	}
	r := NewRequest().Set(binding, items)
	r.Metadata["PartitionContext"] = Encode(pc)
	return r.Meta("PartitionKeyArray", pks).Meta("OffsetArray", offs).Meta("SequenceNumberArray", seqs).
		Meta("EnqueuedTimeUtcArray", enq).Meta("PropertiesArray", props).Meta("SystemPropertiesArray", sys)
}

// ScheduleStatus is a timer's schedule status.
type ScheduleStatus struct {
	Last, Next, LastUpdated time.Time
}

// Timer builds a timerTrigger invocation. A nil status is sent as null, as
// the host does for a timer without a monitor record.
func Timer(binding string, status *ScheduleStatus, pastDue bool) Request {
	info := map[string]any{"Schedule": map[string]any{"AdjustForDST": true}, "ScheduleStatus": nil, "IsPastDue": pastDue}
	if status != nil {
		f := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.9999999Z07:00") }
		info["ScheduleStatus"] = map[string]any{"Last": f(status.Last), "Next": f(status.Next), "LastUpdated": f(status.LastUpdated)}
	}
	return NewRequest().Set(binding, info)
}

// Blob builds a blobTrigger invocation for the blob at uri (container/name
// path) with its content, base64 as the host sends byte arrays.
func Blob(binding, uri string, content []byte, contentType, etag string, modified time.Time) Request {
	r := NewRequest().Set(binding, content).Meta("Uri", uri)
	r.Metadata["Properties"] = Encode(map[string]any{
		"Length": len(content), "ContentType": contentType, "ETag": `"` + etag + `"`,
		"Created": modified.UTC().Format("2006-01-02T15:04:05-07:00"), "LastModified": modified.UTC().Format("2006-01-02T15:04:05-07:00"),
		"BlobType": 2,
	})
	r.Metadata["Metadata"] = json.RawMessage("{}")
	if i := strings.LastIndexByte(uri, '/'); i >= 0 {
		r = r.Meta("name", uri[i+1:])
	}
	return r
}

// CosmosDB builds a cosmosDBTrigger invocation of documents: bundle 3
// sends JSON text of the array, bundle 4 that text encoded once more.
func CosmosDB(binding string, docs []json.RawMessage, bundle int) Request {
	text, _ := json.Marshal(docs)
	if bundle >= 4 {
		return NewRequest().Set(binding, string(text))
	}
	return NewRequest().Set(binding, Raw(quote(string(text))))
}

// EventGrid builds an eventGridTrigger invocation of one event (Event Grid
// or CloudEvents schema), with its data lifted into Metadata.data.
func EventGrid(binding string, event json.RawMessage) Request {
	r := NewRequest().Set(binding, Raw(event))
	var m struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(event, &m) == nil && len(m.Data) > 0 {
		r.Metadata["data"] = m.Data
	}
	return r
}

// HTTP builds an httpTrigger invocation from r as the host renders a
// request in envelope mode: Url, Method, Query (multiple values
// comma-joined), Headers (arrays), Params (route values), Identities, and
// Body — base64 for application/octet-stream and multipart/*, absent when
// empty. Metadata gets Query, Headers (one string each) and every param
// and query value double-encoded. It reads r's body.
func HTTP(binding string, r *http.Request, params map[string]string) Request {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	headers, flat := map[string][]string{}, map[string]string{}
	for k, vs := range r.Header {
		headers[k], flat[k] = vs, strings.Join(vs, ",")
	}
	if len(body) > 0 {
		cl := []string{strconvItoa(len(body))}
		headers["Content-Length"], flat["Content-Length"] = cl, cl[0]
	}
	u := *r.URL
	if u.Host == "" {
		u.Scheme, u.Host = "https", "polyfn.azurewebsites.net"
	}
	p := map[string]any{}
	for k, v := range params {
		p[k] = v
	}
	req := map[string]any{
		"Url": u.String(), "Method": r.Method, "Query": query, "Headers": headers, "Params": p,
		"Identities": []any{map[string]any{"AuthenticationType": nil, "IsAuthenticated": false, "Claims": []any{}}},
	}
	if len(body) > 0 {
		ct := strings.ToLower(r.Header.Get("Content-Type"))
		if strings.HasPrefix(ct, "application/octet-stream") || strings.HasPrefix(ct, "multipart/") {
			req["Body"] = base64.StdEncoding.EncodeToString(body)
		} else {
			req["Body"] = string(body)
		}
	}
	out := NewRequest().Set(binding, req)
	out.Metadata["Query"] = Encode(query)
	out.Metadata["Headers"] = Encode(flat)
	for k, v := range query {
		out = out.Meta(k, v)
	}
	for k, v := range params {
		out = out.Meta(k, v)
	}
	return out
}

func strconvItoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
