// Package azuretest is a simulator of the Azure Functions host's side of
// the custom-handler protocol, for testing a custom handler over real HTTP
// without the host (which cannot run offline), and the adapter's harness
// for the adapters/adaptertest conformance suite (NewHarness).
//
// A Host POSTs invocation requests exactly as the host does — path
// /{function}, Content-Type application/json; charset=utf-8, the
// X-Azure-Functions-InvocationId and X-Azure-Functions-HostVersion headers,
// values encoded by the host's rules (see Encode and the trigger helpers) —
// and judges the answer by the host's rules (see Check): a non-2xx status,
// a content type other than application/json or text/json, or a body that
// is not a JSON object fails the invocation and loses its Logs; an http
// output must be an object with string header values; a string written to
// a non-http output that is valid base64 is written decoded (see Written).
//
// It works with any custom handler, not only polyfn's:
//
//	p, err := azuretest.Start(ctx, "./handler", azuretest.StartOptions{Dir: appDir})
//	defer p.Stop()
//	res, err := p.Invoke(ctx, "orders", azuretest.Queue("msg", azuretest.QueueMessage{ID: "1", Body: []byte(`{"n":1}`)}))
//	if res.Failed { ... res.Reason ... }
package azuretest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/polyfn/polyfn/internal/azurehost"
)

// HostVersion is the version the simulator announces.
const HostVersion = azurehost.HostVersion

// ServiceBusNamespace is the namespace the Service Bus helpers put in
// Metadata.Client.
const ServiceBusNamespace = azurehost.ServiceBusNamespace

type (
	// Host sends invocations to a custom handler at URL, as the Functions
	// host does. Its methods may be called concurrently.
	Host = azurehost.Host
	// Result is the host's view of a handler's answer to one invocation.
	Result = azurehost.Result
	// HTTPResponse is the answer an http output gives the HTTP caller.
	HTTPResponse = azurehost.HTTPResponse
	// Request is an invocation request body: binding values and metadata,
	// already encoded (see Encode).
	Request = azurehost.Request
	// DateTimeOffset is a time the host holds as a .NET DateTimeOffset
	// (see Encode).
	DateTimeOffset = azurehost.DateTimeOffset
	// Raw is a value Encode writes unchanged.
	Raw = azurehost.Raw
	// QueueMessage is a Queue Storage message and its metadata.
	QueueMessage = azurehost.QueueMessage
	// ServiceBusMessage is a Service Bus message and its metadata.
	ServiceBusMessage = azurehost.ServiceBusMessage
	// EventHubEvent is an Event Hubs event and its metadata.
	EventHubEvent = azurehost.EventHubEvent
	// KafkaRecord is a Kafka record as the Functions Kafka extension reads it.
	KafkaRecord = azurehost.KafkaRecord
	// KafkaHeader is one header of a Kafka record.
	KafkaHeader = azurehost.KafkaHeader
	// PartitionContext is the Event Hubs partition an invocation reads.
	PartitionContext = azurehost.PartitionContext
	// ScheduleStatus is a timer's schedule status.
	ScheduleStatus = azurehost.ScheduleStatus
	// StartOptions configures Start.
	StartOptions = azurehost.StartOptions
	// Process is a handler started by Start.
	Process = azurehost.Process
)

// New returns a Host that calls the handler at url.
func New(url string) *Host { return azurehost.New(url) }

// NewInvocationID returns a fresh GUID-shaped invocation id.
func NewInvocationID() string { return azurehost.NewInvocationID() }

// Check judges an answer by the host's rules (see the package
// documentation).
func Check(status int, header http.Header, body []byte) *Result {
	return azurehost.Check(status, header, body)
}

// ParseHTTPOutput reads an http output value as the host does: statusCode
// (number or numeric string), headers (string values), body.
func ParseHTTPOutput(v json.RawMessage) (*HTTPResponse, error) { return azurehost.ParseHTTPOutput(v) }

// Written returns the messages the host writes for a queue, Service Bus or
// Event Hubs output holding v, and whether the host's base64 trap fired.
func Written(v json.RawMessage) (msgs [][]byte, trapped bool) { return azurehost.Written(v) }

// Encode renders a value as the host does before it POSTs an invocation:
// strings encoded twice, numbers, booleans and arrays as JSON text, []byte
// as base64, time.Time without its zone.
func Encode(v any) json.RawMessage { return azurehost.Encode(v) }

// NewRequest returns a Request with empty Data and Metadata.
func NewRequest() Request { return azurehost.NewRequest() }

// Queue builds a queueTrigger invocation.
func Queue(binding string, m QueueMessage) Request { return azurehost.Queue(binding, m) }

// ServiceBus builds a serviceBusTrigger invocation with cardinality one.
func ServiceBus(binding string, m ServiceBusMessage) Request { return azurehost.ServiceBus(binding, m) }

// ServiceBusBatch builds a serviceBusTrigger invocation with cardinality
// many.
func ServiceBusBatch(binding string, ms []ServiceBusMessage) Request {
	return azurehost.ServiceBusBatch(binding, ms)
}

// EventHub builds an eventHubTrigger invocation with cardinality one; with
// binary true (dataType "binary") the body is sent as base64.
func EventHub(binding string, pc PartitionContext, e EventHubEvent, binary bool) Request {
	return azurehost.EventHub(binding, pc, e, binary)
}

// EventHubBatch builds an eventHubTrigger invocation with cardinality many,
// bodies encoded for dataType ("", "string" or "binary").
func EventHubBatch(binding string, pc PartitionContext, es []EventHubEvent, dataType string) Request {
	return azurehost.EventHubBatch(binding, pc, es, dataType)
}

// Timer builds a timerTrigger invocation; a nil status is sent as null.
func Timer(binding string, status *ScheduleStatus, pastDue bool) Request {
	return azurehost.Timer(binding, status, pastDue)
}

// Blob builds a blobTrigger invocation for the blob at uri with its
// content.
func Blob(binding, uri string, content []byte, contentType, etag string, modified time.Time) Request {
	return azurehost.Blob(binding, uri, content, contentType, etag, modified)
}

// CosmosDB builds a cosmosDBTrigger invocation of documents, encoded as
// extension bundle 3 or 4 sends them.
func CosmosDB(binding string, docs []json.RawMessage, bundle int) Request {
	return azurehost.CosmosDB(binding, docs, bundle)
}

// EventGrid builds an eventGridTrigger invocation of one event (Event Grid
// or CloudEvents schema).
func EventGrid(binding string, event json.RawMessage) Request {
	return azurehost.EventGrid(binding, event)
}

// HTTP builds an httpTrigger invocation from r as the host renders a
// request in envelope mode; params are the route's values. It reads r's
// body.
func HTTP(binding string, r *http.Request, params map[string]string) Request {
	return azurehost.HTTP(binding, r, params)
}

// Start starts the handler binary path as the host does and waits until it
// answers GET /. Stop it with Process.Stop.
func Start(ctx context.Context, path string, opts StartOptions) (*Process, error) {
	return azurehost.Start(ctx, path, opts)
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort() (int, error) { return azurehost.FreePort() }

// KafkaBatch builds a kafkaTrigger invocation with cardinality many,
// records encoded for dataType ("", "string" or "binary").
func KafkaBatch(binding string, rs []KafkaRecord, dataType string) Request {
	return azurehost.KafkaBatch(binding, rs, dataType)
}
