package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Trigger binding types, as function.json spells them.
const (
	TypeHTTP       = "httpTrigger"
	TypeQueue      = "queueTrigger"
	TypeServiceBus = "serviceBusTrigger"
	TypeEventGrid  = "eventGridTrigger"
	TypeEventHub   = "eventHubTrigger"
	TypeTimer      = "timerTrigger"
	TypeBlob       = "blobTrigger"
	TypeCosmosDB   = "cosmosDBTrigger"
	TypeKafka      = "kafkaTrigger"
)

// Provider is the provider name of Azure settings on a trigger:
// trigger.With(azure.Provider, "connection", "OrdersQueue").
const Provider = "azure"

// Trigger settings that polyfn reads itself (trigger.With("azure", key, v)).
// Every other setting is copied into the trigger binding of function.json,
// with "true"/"false" written as booleans and integers as numbers.
const (
	// SettingService picks the Azure service of a neutral trigger:
	// "storage" (default) or "servicebus" for OnQueue, "servicebus" (default)
	// or "eventgrid" for OnTopic, "eventhubs" (default), "kafka" or
	// "cosmosdb" for OnStream.
	SettingService = "service"
	// SettingResource is the ARM resource ID used as the CloudEvents source
	// ("/subscriptions/…/queues/orders").
	SettingResource = "resource"
	// SettingOutput sends the function's reply events to an output binding
	// bound to $return: "queue:NAME", "serviceBus:NAME" or "eventHub:NAME".
	SettingOutput = "output"
	// SettingOutputConnection is the app setting holding the output
	// binding's connection; the default is the service's usual one.
	SettingOutputConnection = "outputConnection"
	// SettingPartitionKeyPath is a Cosmos DB container's partition key
	// path ("/city"): each document's value there becomes the event's
	// partitionkey extension, which orders batch records.
	SettingPartitionKeyPath = "partitionKeyPath"
)

// Binding is one entry of function.json's "bindings".
type Binding struct {
	Type      string
	Direction string
	Name      string
	// Props holds every other property (queueName, connection, dataType,
	// cardinality, ...), written in sorted order.
	Props map[string]any
}

// Prop returns the string property key, or "".
func (b Binding) Prop(key string) string {
	s, _ := b.Props[key].(string)
	return s
}

// MarshalJSON writes type, direction and name first, then the other
// properties sorted by name.
func (b Binding) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":`)
	writeJSON(&buf, b.Type)
	buf.WriteString(`,"direction":`)
	writeJSON(&buf, b.Direction)
	buf.WriteString(`,"name":`)
	writeJSON(&buf, b.Name)
	keys := make([]string, 0, len(b.Props))
	for k := range b.Props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		buf.WriteByte(',')
		writeJSON(&buf, k)
		buf.WriteByte(':')
		if err := writeJSON(&buf, b.Props[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a function.json binding.
func (b *Binding) UnmarshalJSON(data []byte) error {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*b = Binding{Props: map[string]any{}}
	for k, v := range m {
		s, _ := v.(string)
		switch strings.ToLower(k) {
		case "type":
			b.Type = s
		case "direction":
			b.Direction = s
		case "name":
			b.Name = s
		default:
			b.Props[k] = v
		}
	}
	return nil
}

func writeJSON(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// FunctionConfig is the content of a function.json.
type FunctionConfig struct {
	Bindings []Binding `json:"bindings"`
	// Retry is the function's retry policy (see RetryOf), nil for none.
	Retry *RetryPolicy `json:"retry,omitempty"`
}

// Trigger returns the config's trigger binding (the "in" binding whose type
// ends in "Trigger").
func (c FunctionConfig) Trigger() (Binding, bool) {
	for _, b := range c.Bindings {
		if strings.EqualFold(b.Direction, "in") && strings.HasSuffix(strings.ToLower(b.Type), "trigger") {
			return b, true
		}
	}
	return Binding{}, false
}

// Source tells Decode how to read one function's invocations. Build it with
// [SourceOf] from the App's declarations; a Source whose Trigger.Type is ""
// makes Decode infer the trigger from the request's shape.
type Source struct {
	// Function is the function's name.
	Function string
	// Trigger is the function's trigger binding.
	Trigger Binding
	// Resource is the ARM resource ID of what fires the trigger, used as
	// the CloudEvents source; "" lets Decode name the resource from what it
	// knows (see docs/azure.md).
	Resource string
	// Kind is the neutral trigger kind the function declared, or "".
	Kind core.TriggerKind
	// PartitionKeyPath is the Cosmos DB partition key path, or "".
	PartitionKeyPath string
	// HTTPOutput is the name of the function's http output binding ("res",
	// or "$return" for the ReturnValue); "" means "res".
	HTTPOutput string
	// MaxBatchEvents is the most events a CloudEvents batch in an HTTP
	// trigger's request may hold; 0 means cejson.DefaultMaxBatchEvents.
	MaxBatchEvents int
}

// HTTPOutputBinding returns the name of the http output: s.HTTPOutput, or
// "res".
func (s Source) HTTPOutputBinding() string {
	if s.HTTPOutput == "" {
		return HTTPOutputName
	}
	return s.HTTPOutput
}

// SourceOf returns how to decode f's invocations. A function that declares
// no trigger gets a Source that infers it from each request. The error
// names the function and the setting at fault.
func SourceOf(f *core.Function) (Source, error) {
	src := Source{Function: f.Name}
	if len(f.Triggers) == 0 {
		return src, nil
	}
	b, err := TriggerBinding(f)
	if err != nil {
		return src, err
	}
	src.Trigger = b
	src.Resource = f.Triggers[0].Setting(Provider, SettingResource)
	src.Kind = f.Triggers[0].Kind
	src.PartitionKeyPath = f.Triggers[0].Setting(Provider, SettingPartitionKeyPath)
	return src, nil
}

// SourceFromConfig returns how to decode the invocations of a function
// described by a function.json the host loaded (for example one edited by
// hand), keeping resource and kind from declared.
func SourceFromConfig(declared Source, cfg FunctionConfig) Source {
	if t, ok := cfg.Trigger(); ok {
		declared.Trigger = t
	}
	for _, b := range cfg.Bindings {
		if strings.EqualFold(b.Type, "http") && strings.EqualFold(b.Direction, "out") {
			declared.HTTPOutput = b.Name
		}
	}
	return declared
}

// TriggerBinding returns the trigger binding of f's function.json, as
// docs/azure.md maps declarations: one binding from f's trigger (an Azure
// function has exactly one), with every Azure setting of the trigger that
// polyfn does not read itself. A function that declares no trigger gets an
// HTTP trigger at /{name}, for POST only when it is an event function:
// it takes CloudEvents in the HTTP binding's binary or structured mode, as
// the local adapter serves it. The error names the function and the
// setting at fault.
func TriggerBinding(f *core.Function) (Binding, error) {
	var t core.Trigger
	switch {
	case len(f.Triggers) == 0 && f.Kind == core.EventFunction:
		t = core.OnHTTP("/"+f.Name, "POST")
	case len(f.Triggers) == 0:
		t = core.OnHTTP("/" + f.Name)
	case len(f.Triggers) > 1:
		return Binding{}, fmt.Errorf("azure: function %q declares %d triggers; an Azure function has exactly one", f.Name, len(f.Triggers))
	default:
		t = f.Triggers[0]
	}
	b, err := triggerBinding(t)
	if err != nil {
		return Binding{}, fmt.Errorf("azure: function %q: %w", f.Name, err)
	}
	return b, nil
}

// HTTPOutputName is the name of the http output binding polyfn generates.
const HTTPOutputName = "res"

// Binding names polyfn gives trigger bindings.
const (
	nameHTTP     = "req"
	nameMessage  = "msg"
	nameEvent    = "event"
	nameEvents   = "events"
	nameTimer    = "timer"
	nameBlob     = "blob"
	nameDocument = "documents"
)

func triggerBinding(t core.Trigger) (Binding, error) {
	settings := t.Settings(Provider)
	service := strings.ToLower(settings[SettingService])
	b := Binding{Direction: "in", Props: map[string]any{}}
	def := func(k string, v any) { b.Props[k] = v }
	switch t.Kind {
	case core.TriggerHTTP:
		b.Type, b.Name = TypeHTTP, nameHTTP
		def("authLevel", "function")
		route, err := azureRoute(t.Route)
		if err != nil {
			return b, err
		}
		def("route", route)
		if len(t.Methods) > 0 {
			ms := make([]string, len(t.Methods))
			for i, m := range t.Methods {
				ms[i] = strings.ToLower(m)
			}
			def("methods", ms)
		}
	case core.TriggerQueue:
		switch service {
		case "", "storage", "queue", "queuestorage":
			b.Type, b.Name = TypeQueue, nameMessage
			def("queueName", t.Name)
			def("connection", "AzureWebJobsStorage")
		case "servicebus":
			b.Type, b.Name = TypeServiceBus, nameMessage
			def("queueName", t.Name)
			def("connection", "ServiceBusConnection")
		default:
			return b, fmt.Errorf("queue trigger: azure service %q is not storage or servicebus", service)
		}
	case core.TriggerTopic:
		switch service {
		case "", "servicebus":
			b.Type, b.Name = TypeServiceBus, nameMessage
			def("topicName", t.Name)
			sub := t.Subscription
			if sub == "" {
				return b, fmt.Errorf("topic trigger %q: Service Bus needs a subscription: OnTopic(topic, subscription)", t.Name)
			}
			def("subscriptionName", sub)
			def("connection", "ServiceBusConnection")
		case "eventgrid":
			b.Type, b.Name = TypeEventGrid, nameEvent
		default:
			return b, fmt.Errorf("topic trigger: azure service %q is not servicebus or eventgrid", service)
		}
	case core.TriggerStream:
		switch service {
		case "", "eventhubs", "eventhub":
			b.Type, b.Name = TypeEventHub, nameEvents
			def("eventHubName", t.Name)
			def("connection", "EventHubConnection")
			def("consumerGroup", "$Default")
			def("cardinality", "many")
		case "kafka":
			b.Type, b.Name = TypeKafka, nameEvents
			def("topic", t.Name)
			def("brokerList", "%"+KafkaBrokerListSetting+"%")
			def("consumerGroup", "$Default")
			def("cardinality", "many")
			def("dataType", "string")
		case "cosmosdb":
			b.Type, b.Name = TypeCosmosDB, nameDocument
			def("containerName", t.Name)
			def("connection", "CosmosDBConnection")
			def("leaseContainerName", "leases")
			def("createLeaseContainerIfNotExists", true)
			if settings["databaseName"] == "" {
				return b, fmt.Errorf(`cosmos db trigger %q needs With("azure", "databaseName", "...")`, t.Name)
			}
		default:
			return b, fmt.Errorf("stream trigger: azure service %q is not eventhubs, kafka or cosmosdb", service)
		}
	case core.TriggerSchedule:
		b.Type, b.Name = TypeTimer, nameTimer
		s, err := NCronTab(t.Cron)
		if err != nil {
			return b, err
		}
		def("schedule", s)
		def("runOnStartup", false)
		def("useMonitor", true)
	case core.TriggerStorage:
		if len(t.Events) == 1 && t.Events[0] == core.KindStorageObjectDeleted {
			return b, fmt.Errorf("storage trigger %q: the Azure blob trigger fires on created and updated blobs only; for deletions subscribe to Microsoft.Storage.BlobDeleted with OnEvent", t.Name)
		}
		b.Type, b.Name = TypeBlob, nameBlob
		def("path", t.Name+"/{name}")
		def("connection", "AzureWebJobsStorage")
		def("dataType", "binary")
	case core.TriggerEvent:
		b.Type, b.Name = TypeEventGrid, nameEvent
	default:
		return b, fmt.Errorf("trigger %s has no Azure binding", t)
	}
	for k, v := range settings {
		switch k {
		case SettingService, SettingResource, SettingOutput, SettingOutputConnection, SettingPartitionKeyPath:
			continue
		case "name", "bindingName":
			b.Name = v
			continue
		}
		if retrySettings[k] {
			continue
		}
		b.Props[k] = settingValue(v)
	}
	return b, nil
}

// settingValue turns a setting's text into the JSON value function.json
// wants: booleans and integers as such, anything else as a string.
func settingValue(v string) any {
	switch v {
	case "true":
		return true
	case "false":
		return false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && strconv.FormatInt(n, 10) == v {
		return n
	}
	return v
}

// azureRoute turns a net/http.ServeMux pattern path into an Azure route
// template: "/orders/{id}" → "orders/{id}", "/files/{p...}" → "files/{*p}",
// a subtree "/api/" → "api/{*polyfnpath}".
func azureRoute(route string) (string, error) {
	r := strings.TrimPrefix(route, "/")
	if strings.HasSuffix(r, "{$}") {
		r = strings.TrimSuffix(strings.TrimSuffix(r, "{$}"), "/")
		if r == "" {
			return "", fmt.Errorf("http route %q: Azure cannot route the bare root; use a subtree such as \"/\"", route)
		}
	} else if r == "" || strings.HasSuffix(r, "/") {
		r += "{*polyfnpath}"
	}
	parts := strings.Split(r, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "...}") {
			parts[i] = "{*" + strings.TrimSuffix(p[1:], "...}") + "}"
		}
	}
	return strings.Join(parts, "/"), nil
}

// NCronTab turns a five-field cron expression or descriptor (see
// core.ParseCron) into the six-field NCRONTAB expression of Azure's timer
// trigger (seconds first). Day-of-week 7 becomes 0 and "?" becomes "*".
func NCronTab(cron string) (string, error) {
	c, err := core.ParseCron(cron)
	if err != nil {
		return "", err
	}
	q := func(s string) string {
		if s == "?" {
			return "*"
		}
		return s
	}
	dow := q(c.DayOfWeek)
	if dow == "7" {
		dow = "0"
	}
	return strings.Join([]string{"0", c.Minute, c.Hour, q(c.DayOfMonth), c.Month, dow}, " "), nil
}
