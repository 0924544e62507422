// Package sample builds what each cloud delivers to a function for one
// native trigger: the Lambda event payload, the Azure Functions host's
// invocation request, the CloudEvent Eventarc posts, or a CloudEvent for
// the local adapter. polyfn invoke sends them to a function under the
// provider's wire protocol, and the polyfntest kit decodes them, so that
// both tell the same story. It builds on lambdaemu and azurehost, which
// hold each payload's shape, and imports no provider: decoding a payload
// into the events a function sees is the providers' work, done by the
// callers.
package sample

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/azurehost"
)

// A Record is one message of a delivery.
type Record struct {
	// ID is the platform's message id; "" makes one up.
	ID string
	// Key is the ordering key (a stream's partition key); "" for none.
	Key string
	// Data is the message body.
	Data []byte
}

// A Trigger is one native trigger polyfn can simulate.
type Trigger struct {
	// Name is the trigger's name on the command line ("sqs", "pubsub").
	Name string
	// Provider is the provider that delivers it; "" for the portable
	// triggers every provider delivers (http, schedule).
	Provider string
	// Kind is the portable kind of the events it delivers.
	Kind core.EventKind
	// Type is the CloudEvents type of a local delivery.
	Type string
	// Batch is true when the platform delivers several records in one
	// invocation (SQS, Kinesis, Event Hubs, ...); false when it delivers
	// one per invocation.
	Batch bool
}

// triggers are the native triggers, by name.
var triggers = map[string]Trigger{
	"sqs":         {"sqs", "aws", core.KindQueueMessage, "com.amazonaws.sqs.message", true},
	"sns":         {"sns", "aws", core.KindTopicMessage, "com.amazonaws.sns.Notification", false},
	"eventbridge": {"eventbridge", "aws", core.KindBusEvent, "com.example.event", false},
	"kinesis":     {"kinesis", "aws", core.KindStreamRecord, "com.amazonaws.kinesis.stream_record", true},
	"dynamodb":    {"dynamodb", "aws", core.KindDBDocumentUpdated, "com.amazonaws.dynamodb.MODIFY", true},
	"s3":          {"s3", "aws", core.KindStorageObjectCreated, "com.amazonaws.s3.ObjectCreated:Put", false},
	"apigw-v1":    {"apigw-v1", "aws", core.KindHTTPRequest, "", false},
	"apigw-v2":    {"apigw-v2", "aws", core.KindHTTPRequest, "", false},
	"alb":         {"alb", "aws", core.KindHTTPRequest, "", false},
	"url":         {"url", "aws", core.KindHTTPRequest, "", false},
	"queue":       {"queue", "azure", core.KindQueueMessage, "com.microsoft.azure.queuestorage.message", false},
	"servicebus":  {"servicebus", "azure", core.KindQueueMessage, "com.microsoft.azure.servicebus.message", false},
	"eventgrid":   {"eventgrid", "azure", core.KindBusEvent, "com.example.event", false},
	"eventhubs":   {"eventhubs", "azure", core.KindStreamRecord, "com.microsoft.azure.eventhub.message", true},
	"timer":       {"timer", "azure", core.KindScheduleFired, "com.microsoft.azure.functions.timer.fired", false},
	"blob":        {"blob", "azure", core.KindStorageObjectCreated, "Microsoft.Storage.BlobCreated", false},
	"cosmos":      {"cosmos", "azure", core.KindDBDocumentWritten, "com.microsoft.azure.cosmosdb.document.written", true},
	"pubsub":      {"pubsub", "gcp", core.KindTopicMessage, "google.cloud.pubsub.topic.v1.messagePublished", false},
	"storage":     {"storage", "gcp", core.KindStorageObjectCreated, "google.cloud.storage.object.v1.finalized", false},
	"firestore":   {"firestore", "gcp", core.KindDBDocumentWritten, "google.cloud.firestore.document.v1.written", false},
	"schedule":    {"schedule", "", core.KindScheduleFired, "com.polyfn.schedule.fired", false},
	"http":        {"http", "", core.KindHTTPRequest, "", false},
}

// Lookup returns the trigger named name.
func Lookup(name string) (Trigger, bool) {
	t, ok := triggers[name]
	return t, ok
}

// Names returns the trigger names, sorted.
func Names() []string {
	names := make([]string, 0, len(triggers))
	for n := range triggers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NamesOf returns the names of provider's own triggers, sorted.
func NamesOf(provider string) []string {
	var names []string
	for _, n := range Names() {
		if triggers[n].Provider == provider {
			names = append(names, n)
		}
	}
	return names
}

// Native returns the trigger provider delivers for the portable trigger
// kind k: "sqs" for an AWS queue, "timer" for an Azure schedule, "pubsub"
// for every Google message source. The error names what the provider
// lacks.
func Native(provider string, k core.TriggerKind) (Trigger, error) {
	names := map[string]map[core.TriggerKind]string{
		"aws":   {core.TriggerQueue: "sqs", core.TriggerTopic: "sns", core.TriggerSchedule: "schedule", core.TriggerStream: "kinesis", core.TriggerStorage: "s3", core.TriggerEvent: "eventbridge", core.TriggerHTTP: "apigw-v2"},
		"azure": {core.TriggerQueue: "queue", core.TriggerTopic: "servicebus", core.TriggerSchedule: "timer", core.TriggerStream: "eventhubs", core.TriggerStorage: "blob", core.TriggerEvent: "eventgrid", core.TriggerHTTP: "http"},
		"gcp":   {core.TriggerQueue: "pubsub", core.TriggerTopic: "pubsub", core.TriggerSchedule: "schedule", core.TriggerStream: "pubsub", core.TriggerStorage: "storage", core.TriggerHTTP: "http"},
		"local": {core.TriggerSchedule: "schedule", core.TriggerHTTP: "http"},
	}
	p, ok := names[provider]
	if !ok {
		return Trigger{}, fmt.Errorf("unknown provider %q", provider)
	}
	if name, ok := p[k]; ok {
		return triggers[name], nil
	}
	if provider == "local" {
		// The local adapter takes CloudEvents: any kind, as a broker sends it.
		return Trigger{Name: string(k), Provider: "local", Kind: KindOf(k), Type: "com.polyfn." + string(k), Batch: k == core.TriggerQueue || k == core.TriggerStream}, nil
	}
	return Trigger{}, fmt.Errorf("%s has no %s trigger polyfn simulates", provider, k)
}

// KindOf returns the portable kind of the events a source of trigger kind
// k delivers, as the simulations synthesize them (the reverse of
// invoke.TriggerOf); KindBusEvent for a kind it does not know.
func KindOf(k core.TriggerKind) core.EventKind {
	switch k {
	case core.TriggerQueue:
		return core.KindQueueMessage
	case core.TriggerTopic:
		return core.KindTopicMessage
	case core.TriggerStream:
		return core.KindStreamRecord
	case core.TriggerStorage:
		return core.KindStorageObjectCreated
	case core.TriggerSchedule:
		return core.KindScheduleFired
	}
	return core.KindBusEvent
}

// ids gives each record an id: its own, or a fresh one made of prefix.
func ids(prefix string, recs []Record) []Record {
	out := make([]Record, len(recs))
	stamp := time.Now().UnixNano()
	for i, r := range recs {
		if r.ID == "" {
			r.ID = fmt.Sprintf("%s-%d-%d", prefix, stamp, i+1)
		}
		out[i] = r
	}
	return out
}

// WithIDs returns recs, or one empty JSON record when there is none, each
// with an id: its own, or a fresh one made of prefix.
func WithIDs(prefix string, recs []Record) []Record { return ids(prefix, one(recs)) }

// HostJSON returns r as the Functions host posts it to function's
// handler: with the Metadata.sys member the host adds to every request.
func HostJSON(r azurehost.Request, function string) ([]byte, error) {
	if _, ok := r.Metadata["sys"]; !ok {
		r.Metadata["sys"] = azurehost.Encode(map[string]any{"MethodName": function, "UtcNow": "2026-01-01T00:00:00Z", "RandGuid": azurehost.NewInvocationID()})
	}
	return json.Marshal(r)
}

// DefaultBinding returns the binding name polyfn's function.json gives
// trigger's data.
func DefaultBinding(trigger string) string {
	switch trigger {
	case "http":
		return "req"
	case "timer", "schedule":
		return "timer"
	case "eventhubs":
		return "events"
	case "eventgrid":
		return "event"
	case "blob":
		return "blob"
	case "cosmos":
		return "documents"
	}
	return "msg"
}

// one returns recs, or one empty JSON record when there is none.
func one(recs []Record) []Record {
	if len(recs) == 0 {
		return []Record{{Data: []byte("{}")}}
	}
	return recs
}

// Local returns the CloudEvents the local adapter receives for t, one per
// record: data as sent, the type of t and its portable kind, the record's
// key as partitionkey. A broker (Knative, Eventarc) delivers such events;
// a Knative PingSource sets polyfnkind through its ceOverrides for a
// schedule.
func Local(t Trigger, recs []Record) []core.Event {
	recs = ids("invoke", one(recs))
	evs := make([]core.Event, len(recs))
	for i, r := range recs {
		e := core.NewEvent(r.ID, "polyfn/invoke/"+strings.ReplaceAll(t.Name, ".", "-"), t.Type, ContentType(r.Data), r.Data)
		e.SetTime(time.Now().UTC())
		e.SetExtension(core.KindExtension, string(t.Kind))
		if r.Key != "" {
			e.SetExtension(core.PartitionKeyExtension, r.Key)
		}
		evs[i] = e
	}
	return evs
}
