package core

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// TriggerKind names what causes a function to run.
type TriggerKind string

// The trigger kinds.
const (
	TriggerHTTP     TriggerKind = "http"
	TriggerQueue    TriggerKind = "queue"
	TriggerTopic    TriggerKind = "topic"
	TriggerSchedule TriggerKind = "schedule"
	TriggerStream   TriggerKind = "stream"
	TriggerStorage  TriggerKind = "storage"
	TriggerEvent    TriggerKind = "event"
	// TriggerDirect is the kind of an invocation no declared trigger caused:
	// a direct Lambda invoke, a CloudEvent POSTed to the function's URL.
	TriggerDirect TriggerKind = "direct"
)

// A Trigger declares, in cloud-neutral terms, what invokes a function. Build
// one with OnHTTP, OnQueue, OnTopic, OnSchedule, OnStream, OnStorage or
// OnEvent; add cloud-specific settings with With. A Trigger is a value: its
// methods return modified copies and never change the receiver.
type Trigger struct {
	Kind TriggerKind

	// Route is the HTTP route, in net/http.ServeMux pattern syntax without a
	// method ("/orders/{id}", "/api/" for a subtree).
	Route string
	// Methods restricts an HTTP route to these methods; empty means any.
	Methods []string

	// Name is the queue, topic, stream or storage bucket the trigger watches.
	Name string
	// Subscription is the topic subscription, where the cloud names one
	// (Service Bus, Pub/Sub). Empty lets the deployment tool choose.
	Subscription string

	// Cron is a five-field cron expression (minute hour day-of-month month
	// day-of-week) or a descriptor such as "@daily".
	Cron string
	// TimeZone is the IANA zone Cron is read in; empty means UTC.
	TimeZone string

	// Events are the storage object kinds that fire a storage trigger:
	// KindStorageObjectCreated and/or KindStorageObjectDeleted. Empty means both.
	Events []EventKind

	// Type and Source filter a generic event trigger (OnEvent): the
	// CloudEvents type that must match, and optionally the source.
	Type, Source string

	// BatchSize caps records per invocation for batch sources (queues,
	// streams); 0 leaves the cloud's default.
	BatchSize int

	overrides map[string]map[string]string
}

// OnHTTP declares an HTTP route. route uses net/http.ServeMux pattern syntax
// without the method; methods, when given, restrict it ("GET", "POST").
func OnHTTP(route string, methods ...string) Trigger {
	return Trigger{Kind: TriggerHTTP, Route: route, Methods: methods}
}

// OnQueue declares a point-to-point queue (SQS, Queue Storage or a Service
// Bus queue, a Pub/Sub subscription).
func OnQueue(name string) Trigger { return Trigger{Kind: TriggerQueue, Name: name} }

// OnTopic declares a publish/subscribe topic (SNS, Service Bus topic, Event
// Grid topic, Pub/Sub topic). subscription is optional.
func OnTopic(topic string, subscription ...string) Trigger {
	t := Trigger{Kind: TriggerTopic, Name: topic}
	if len(subscription) > 0 {
		t.Subscription = subscription[0]
	}
	return t
}

// OnSchedule declares a schedule: cron is five fields or a descriptor
// ("@hourly", "@daily", ...), read in the IANA time zone tz ("" for UTC).
func OnSchedule(cron, tz string) Trigger {
	return Trigger{Kind: TriggerSchedule, Cron: cron, TimeZone: tz}
}

// OnStream declares an ordered stream (Kinesis, DynamoDB Streams, Event Hubs,
// Cosmos DB change feed). Records are delivered in order per partition key.
func OnStream(name string) Trigger { return Trigger{Kind: TriggerStream, Name: name} }

// OnStorage declares a storage bucket (S3, Blob container, Cloud Storage)
// and the object events that fire it; none means created and deleted.
func OnStorage(bucket string, events ...EventKind) Trigger {
	return Trigger{Kind: TriggerStorage, Name: bucket, Events: events}
}

// OnEvent declares a generic event subscription by CloudEvents type and,
// optionally, source (EventBridge rule, Event Grid subscription, Eventarc
// trigger).
func OnEvent(eventType string, source ...string) Trigger {
	t := Trigger{Kind: TriggerEvent, Type: eventType}
	if len(source) > 0 {
		t.Source = source[0]
	}
	return t
}

// WithBatchSize returns a copy of t that asks for at most n records per
// invocation.
func (t Trigger) WithBatchSize(n int) Trigger {
	t.BatchSize = n
	return t
}

// With returns a copy of t carrying a provider-specific setting, read by the
// adapters and manifest generators of that provider: for example
// With("aws", "arn", "arn:aws:sqs:...") or With("azure", "connection", "QueueConn").
func (t Trigger) With(provider, key, value string) Trigger {
	o := make(map[string]map[string]string, len(t.overrides)+1)
	for p, kv := range t.overrides {
		o[p] = maps.Clone(kv)
	}
	if o[provider] == nil {
		o[provider] = map[string]string{}
	}
	o[provider][key] = value
	t.overrides = o
	return t
}

// Setting returns the provider-specific setting key, or "".
func (t Trigger) Setting(provider, key string) string { return t.overrides[provider][key] }

// Settings returns a copy of every setting t carries for provider.
func (t Trigger) Settings(provider string) map[string]string {
	return maps.Clone(t.overrides[provider])
}

func (t Trigger) applyFunction(f *Function) { f.Triggers = append(f.Triggers, t) }

// String describes t briefly, for logs and errors.
func (t Trigger) String() string {
	switch t.Kind {
	case TriggerHTTP:
		if len(t.Methods) > 0 {
			return fmt.Sprintf("http %s %s", strings.Join(t.Methods, ","), t.Route)
		}
		return "http " + t.Route
	case TriggerSchedule:
		if t.TimeZone != "" {
			return fmt.Sprintf("schedule %q in %s", t.Cron, t.TimeZone)
		}
		return fmt.Sprintf("schedule %q", t.Cron)
	case TriggerEvent:
		return "event " + t.Type
	}
	return string(t.Kind) + " " + t.Name
}

// validate checks t's own fields.
func (t Trigger) validate() error {
	switch t.Kind {
	case TriggerHTTP:
		if strings.ContainsAny(t.Route, " \t") {
			return fmt.Errorf("http route %q must not hold spaces; list methods separately", t.Route)
		}
		if !strings.HasPrefix(t.Route, "/") {
			return fmt.Errorf("http route %q must start with /", t.Route)
		}
		for _, m := range t.Methods {
			if m == "" || strings.ToUpper(m) != m || strings.ContainsAny(m, " /") {
				return fmt.Errorf("http method %q is not an upper-case token", m)
			}
		}
	case TriggerQueue, TriggerTopic, TriggerStream, TriggerStorage:
		if t.Name == "" {
			return fmt.Errorf("%s trigger needs a name", t.Kind)
		}
		for _, k := range t.Events {
			if k != KindStorageObjectCreated && k != KindStorageObjectDeleted {
				return fmt.Errorf("storage event %q is not %q or %q", k, KindStorageObjectCreated, KindStorageObjectDeleted)
			}
		}
		if len(t.Events) > 0 && t.Kind != TriggerStorage {
			return fmt.Errorf("%s trigger does not take storage events", t.Kind)
		}
	case TriggerSchedule:
		if _, err := ParseCron(t.Cron); err != nil {
			return err
		}
		if err := checkTimeZone(t.TimeZone); err != nil {
			return err
		}
	case TriggerEvent:
		if t.Type == "" {
			return fmt.Errorf("event trigger needs a CloudEvents type")
		}
	default:
		return fmt.Errorf("unknown trigger kind %q", t.Kind)
	}
	if t.BatchSize < 0 {
		return fmt.Errorf("batch size %d is negative", t.BatchSize)
	}
	return nil
}

// checkTimeZone accepts "", "UTC" and IANA names ("Europe/Paris"). It loads
// the zone when the zone database is reachable, and otherwise checks the
// name's shape only, so that registration never depends on the machine.
func checkTimeZone(tz string) error {
	if tz == "" || tz == "UTC" {
		return nil
	}
	for _, r := range tz {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_-+", r)) {
			return fmt.Errorf("time zone %q is not an IANA name such as Europe/Paris", tz)
		}
	}
	if _, err := time.LoadLocation(tz); err != nil {
		if _, probe := time.LoadLocation("America/New_York"); probe != nil {
			return nil // no zone database on this machine: the shape is all we can check
		}
		return fmt.Errorf("time zone %q is not in the IANA time zone database", tz)
	}
	return nil
}
