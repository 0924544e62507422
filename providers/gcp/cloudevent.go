package gcp

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// FromCloudEvent returns the event a function sees for a CloudEvent Google
// delivered. The event passes through unchanged, except that:
//
//   - a known Google type gets the extension "polyfnkind" (see KindOf),
//     unless it already has one;
//   - a Pub/Sub message gets "partitionkey" from its ordering key, and a
//     message that carries a CloudEvent (a "ce-specversion" or
//     "cloudEvents:specversion" attribute, a "content-type" attribute of
//     application/cloudevents+json, or data that is a structured
//     CloudEvent) is replaced by that event, unchanged;
//   - a Cloud Storage object event gets "dataref" = gs://bucket/object.
//
// e is not modified; the result may share e's data. The error wraps
// ErrInvalidEvent when a Pub/Sub message claims to carry a CloudEvent that
// is not valid.
func FromCloudEvent(e core.Event) (core.Event, error) {
	if e.Context == nil {
		return e, invalid("event has no context")
	}
	if KindOf(e.Type()) == "" {
		return e, nil
	}
	e.Context = e.Context.Clone()
	err := Normalize(&e)
	return e, err
}

// Normalize is FromCloudEvent in place: it adds polyfn's extensions to e's
// own context, or replaces *e with the CloudEvent a Pub/Sub message
// carries, and so saves FromCloudEvent's copy. Use it on an event nothing
// else refers to. On error *e is unchanged.
func Normalize(e *core.Event) error {
	if e.Context == nil {
		return invalid("event has no context")
	}
	t := e.Type()
	kind := scheduleKind(*e, KindOf(t)) // a Cloud Scheduler tick sent through Pub/Sub (schedule.go)
	if kind == "" {
		return nil
	}
	switch t {
	case TypePubSubMessagePublished:
		inner, carries, key, m, decoded, err := unwrapPubSub(*e)
		if err != nil {
			return err
		}
		if carries {
			*e = inner
			return nil
		}
		if key != "" {
			setExtension(e, PartitionKeyExtension, key)
		}
		if decoded {
			payloads.put(*e, m)
		}
	case TypeStorageObjectFinalized, TypeStorageObjectDeleted:
		if _, has := core.Extension(*e, DataRefExtension); !has {
			if ref := storageRef(e.Source(), e.Subject()); ref != "" {
				setExtension(e, DataRefExtension, ref)
			}
		}
	}
	setExtension(e, core.KindExtension, string(kind))
	return nil
}

// setExtension sets a string extension unless e already has it, without
// the SDK's per-call validation (name is one of ours, lower case).
func setExtension(e *core.Event, name, value string) {
	if _, has := core.Extension(*e, name); has {
		return
	}
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		if ec.Extensions == nil {
			ec.Extensions = make(map[string]any, 2)
		}
		ec.Extensions[name] = value
		return
	}
	e.SetExtension(name, value)
}

// storageRef returns gs://bucket/name for source
// //storage.googleapis.com/projects/_/buckets/{bucket} and subject
// objects/{name}, or "".
func storageRef(source, subject string) string {
	_, bucket, ok := strings.Cut(source, "/buckets/")
	name, ok2 := strings.CutPrefix(subject, "objects/")
	if !ok || !ok2 || bucket == "" || name == "" || strings.Contains(bucket, "/") {
		return ""
	}
	return "gs://" + bucket + "/" + name
}

// ParseStructured parses a CloudEvent in the JSON format. Unlike a strict
// reader it accepts Google's camelCase extension names (methodName,
// resourceName, serviceName, recordedTime on audit log events) by lower-casing
// them, as the CloudEvents naming rule asks. It refuses, whatever the map
// order, an event with two members whose names differ only in case, and a
// member that spells a context attribute in other case ("ID"), which could
// otherwise stand in for the attribute. The error wraps ErrInvalidEvent.
func ParseStructured(b []byte) (core.Event, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return core.Event{}, invalid("structured CloudEvent: %v", err)
	}
	if m == nil {
		return core.Event{}, invalid("structured CloudEvent: want a JSON object, got null")
	}
	var mixed []string
	for k := range m {
		if strings.ToLower(k) != k {
			mixed = append(mixed, k)
		}
	}
	sort.Strings(mixed)
	seen := make(map[string]string, len(mixed))
	for _, k := range mixed {
		lk := strings.ToLower(k)
		if contextAttributes[lk] {
			return core.Event{}, invalid("structured CloudEvent: member %q spells the attribute %q in other case", k, lk)
		}
		if m[lk] != nil {
			return core.Event{}, invalid("structured CloudEvent: members %q and %q differ only in case", lk, k)
		}
		if other, dup := seen[lk]; dup {
			return core.Event{}, invalid("structured CloudEvent: members %q and %q differ only in case", other, k)
		}
		seen[lk] = k
	}
	for _, k := range mixed {
		m[strings.ToLower(k)] = m[k]
		delete(m, k)
	}
	e, err := cejson.FromMap(m)
	if err != nil {
		return core.Event{}, invalid("%v", err)
	}
	return e, nil
}

// contextAttributes are the names of the JSON format's members that are
// not extensions.
var contextAttributes = map[string]bool{
	"specversion": true, "id": true, "source": true, "type": true, "datacontenttype": true,
	"dataschema": true, "subject": true, "time": true, "data": true, "data_base64": true,
}
