package gcp

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
)

// The legacy → CloudEvent tables below are functions-framework-go v1.9.2's
// (funcframework/events.go), so a legacy event reaches a polyfn function with
// the attributes functions-framework-go gives it. The conformance fixtures in
// testdata/conformance check them.
var legacyTypes = map[string]string{
	"google.pubsub.topic.publish":                              TypePubSubMessagePublished,
	"providers/cloud.pubsub/eventTypes/topic.publish":          TypePubSubMessagePublished,
	"google.storage.object.finalize":                           TypeStorageObjectFinalized,
	"google.storage.object.delete":                             TypeStorageObjectDeleted,
	"google.storage.object.archive":                            TypeStorageObjectArchived,
	"google.storage.object.metadataUpdate":                     TypeStorageObjectMetadata,
	"providers/cloud.storage/eventTypes/object.change":         TypeStorageObjectFinalized,
	"providers/cloud.firestore/eventTypes/document.write":      "google.cloud.firestore.document.v1.written",
	"providers/cloud.firestore/eventTypes/document.create":     "google.cloud.firestore.document.v1.created",
	"providers/cloud.firestore/eventTypes/document.update":     "google.cloud.firestore.document.v1.updated",
	"providers/cloud.firestore/eventTypes/document.delete":     "google.cloud.firestore.document.v1.deleted",
	"providers/firebase.auth/eventTypes/user.create":           "google.firebase.auth.user.v1.created",
	"providers/firebase.auth/eventTypes/user.delete":           "google.firebase.auth.user.v1.deleted",
	"providers/google.firebase.analytics/eventTypes/event.log": "google.firebase.analytics.log.v1.written",
	"providers/google.firebase.database/eventTypes/ref.create": "google.firebase.database.ref.v1.created",
	"providers/google.firebase.database/eventTypes/ref.write":  "google.firebase.database.ref.v1.written",
	"providers/google.firebase.database/eventTypes/ref.update": "google.firebase.database.ref.v1.updated",
	"providers/google.firebase.database/eventTypes/ref.delete": "google.firebase.database.ref.v1.deleted",
}

const (
	serviceFirebaseAuth = "firebaseauth.googleapis.com"
	serviceFirebase     = "firebase.googleapis.com"
	serviceFirebaseDB   = "firebasedatabase.googleapis.com"
	serviceFirestore    = "firestore.googleapis.com"
	servicePubSub       = "pubsub.googleapis.com"
	serviceStorage      = "storage.googleapis.com"
)

// legacyServices maps event type prefixes to services, for events whose
// resource names none. The prefixes do not overlap.
var legacyServices = [...]struct{ prefix, service string }{
	{"providers/cloud.firestore/", serviceFirestore},
	{"providers/google.firebase.analytics/", serviceFirebase},
	{"providers/firebase.auth/", serviceFirebaseAuth},
	{"providers/google.firebase.database/", serviceFirebaseDB},
	{"providers/cloud.pubsub/", servicePubSub},
	{"providers/cloud.storage/", serviceStorage},
	{"google.pubsub", servicePubSub},
	{"google.storage", serviceStorage},
}

// resourceSplit returns the regexps that split a legacy resource into
// CloudEvent source part and subject, by service. They are compiled on
// first use, not at start-up: most functions never see a legacy event.
var resourceSplit = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		serviceFirebase:   regexp.MustCompile(`^(projects/[^/]+)/(events/[^/]+)$`),
		serviceFirebaseDB: regexp.MustCompile(`^projects/_/(instances/[^/]+)/(refs/.+)$`),
		serviceFirestore:  regexp.MustCompile(`^(projects/[^/]+/databases/\(default\))/(documents/.+)$`),
		serviceStorage:    regexp.MustCompile(`^(projects/_/buckets/[^/]+)/(objects/.+)$`),
	}
})

// legacyEvent is a legacy background event: {data, context} or the flat
// form with the context members at the top level.
type legacyEvent struct {
	Data    json.RawMessage `json:"data"`
	Context *legacyContext  `json:"context"`
	legacyContext
	Domain string `json:"domain"` // Firebase Realtime Database
}

type legacyContext struct {
	EventID   string          `json:"eventId"`
	Timestamp string          `json:"timestamp"`
	EventType string          `json:"eventType"`
	Resource  json.RawMessage `json:"resource"`
}

type legacyResource struct {
	Service string `json:"service"`
	Name    string `json:"name"`
	Type    string `json:"type"`
}

// FromLegacy converts a legacy background event (the body Cloud Functions
// 1st gen POSTs: {"data": ..., "context": {eventId, timestamp, eventType,
// resource}}, or the same members flat) to the CloudEvent
// functions-framework-go makes of it: the type from its legacy table, source
// "//" + service + "/" + resource, the resource split into source and
// subject for Storage, Firestore and Firebase, id = eventId, time =
// timestamp, datacontenttype application/json. Pub/Sub data becomes
// {"message": data + messageId + publishTime}. Unlike functions-framework-go,
// data is kept byte for byte (no float64 round trip of large numbers). The
// result then goes through FromCloudEvent. The error wraps ErrInvalidEvent.
func FromLegacy(body []byte) (core.Event, error) {
	var le legacyEvent
	if err := json.Unmarshal(body, &le); err != nil {
		return core.Event{}, invalid("legacy event: %v", err)
	}
	return fromLegacy(&le)
}

func fromLegacy(le *legacyEvent) (core.Event, error) {
	if len(le.Data) == 0 || string(le.Data) == "null" {
		return core.Event{}, invalid("unable to extract background event: no data")
	}
	md := le.Context
	if md == nil {
		if le.EventID == "" {
			return core.Event{}, invalid("unable to extract background event: no context and no eventId")
		}
		md = &le.legacyContext
	}
	ceType, ok := legacyTypes[md.EventType]
	if !ok {
		return core.Event{}, invalid("unable to find CloudEvent equivalent event type for %q", md.EventType)
	}
	var res legacyResource
	var rawPath string
	if r := bytes.TrimSpace(md.Resource); len(r) > 0 && string(r) != "null" {
		if r[0] == '"' {
			if err := json.Unmarshal(r, &rawPath); err != nil {
				return core.Event{}, invalid("legacy event resource: %v", err)
			}
		} else if err := json.Unmarshal(r, &res); err != nil {
			return core.Event{}, invalid("legacy event resource: %v", err)
		}
	}
	service := res.Service
	if service == "" {
		for _, s := range legacyServices {
			if strings.HasPrefix(md.EventType, s.prefix) {
				service = s.service
			}
		}
		if service == "" {
			return core.Event{}, invalid("unable to find CloudEvent equivalent service for %q", md.EventType)
		}
	}
	resource := res.Name
	if resource == "" {
		resource = rawPath
	}
	var subject string
	if re := resourceSplit()[service]; re != nil {
		m := re.FindStringSubmatch(resource)
		if m == nil {
			return core.Event{}, invalid("legacy %s resource %q does not match %s", service, resource, re)
		}
		resource, subject = m[1], m[2]
	}
	ec := &event.EventContextV1{ID: md.EventID, Type: ceType}
	source := "//" + service + "/" + resource
	var ts time.Time
	if md.Timestamp != "" {
		t, err := time.Parse(time.RFC3339Nano, md.Timestamp)
		if err != nil {
			return core.Event{}, invalid("legacy event timestamp %q is not RFC 3339", md.Timestamp)
		}
		ts = t
		ec.Time = &types.Timestamp{Time: t}
	}
	data := []byte(le.Data)
	switch service {
	case servicePubSub:
		msg, err := addMembers(data, "messageId", md.EventID, "publishTime", formatTime(ts))
		if err != nil {
			return core.Event{}, invalid(`legacy Pub/Sub event: "data" must be an object: %v`, err)
		}
		data = append(append([]byte(`{"message":`), msg...), '}')
	case serviceFirebaseAuth:
		var err error
		if data, subject, err = firebaseAuth(data); err != nil {
			return core.Event{}, err
		}
	case serviceFirebaseDB:
		location := "us-central1"
		if le.Domain != "firebaseio.com" {
			first, _, ok := strings.Cut(le.Domain, ".")
			if !ok {
				return core.Event{}, invalid("invalid %s domain %q", serviceFirebaseDB, le.Domain)
			}
			location = first
		}
		source = "//" + service + "/projects/_/locations/" + location + "/" + resource
	}
	if err := setSource(ec, source); err != nil {
		return core.Event{}, err
	}
	if subject != "" {
		ec.Subject = &subject
	}
	ct := "application/json"
	ec.DataContentType = &ct
	e := core.Event{Context: ec, DataEncoded: data}
	if err := validate(e); err != nil {
		return core.Event{}, err
	}
	if err := Normalize(&e); err != nil {
		return core.Event{}, err
	}
	return e, nil
}

// formatTime formats t as encoding/json does, the way functions-framework-go
// writes publishTime; the zero time stays empty.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// addMembers returns the JSON object obj with string members set (members
// with an empty value are left out), keeping the other members' bytes.
func addMembers(obj []byte, kv ...string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b, _ := json.Marshal(kv[i+1])
		m[kv[i]] = b
	}
	return json.Marshal(m)
}

// firebaseAuth renames metadata.createdAt/lastSignedInAt to createTime and
// lastSignInTime and returns the subject users/{uid}, as
// functions-framework-go does.
func firebaseAuth(data []byte) ([]byte, string, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || m == nil {
		return data, "", nil
	}
	var subject string
	if raw, ok := m["uid"]; ok {
		var uid any
		if json.Unmarshal(raw, &uid) == nil {
			if s, ok := uid.(string); ok {
				subject = "users/" + s
			} else {
				subject = "users/" + string(bytes.TrimSpace(raw))
			}
		}
	}
	var md map[string]json.RawMessage
	if raw, ok := m["metadata"]; !ok || json.Unmarshal(raw, &md) != nil || md == nil {
		return data, subject, nil
	}
	for old, name := range map[string]string{"createdAt": "createTime", "lastSignedInAt": "lastSignInTime"} {
		if v, ok := md[old]; ok {
			md[name] = v
			delete(md, old)
		}
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, "", invalid("firebase auth metadata: %v", err)
	}
	m["metadata"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return nil, "", invalid("firebase auth data: %v", err)
	}
	return out, subject, nil
}

func setSource(ec *event.EventContextV1, source string) error {
	u := types.ParseURIRef(source)
	if u == nil {
		return invalid("source %q is not a URI-reference", source)
	}
	ec.Source = *u
	return nil
}
