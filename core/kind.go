package core

import (
	"fmt"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/intern"
)

// KindExtension is the name of the CloudEvents extension that carries an
// event's portable kind.
const KindExtension = "polyfnkind"

// PartitionKeyExtension is the CloudEvents partitioning extension: the
// ordering key of a record (an SQS message group, a Kinesis partition key,
// a Pub/Sub ordering key). Batches run records with equal keys in order.
const PartitionKeyExtension = "partitionkey"

// EventKind is a portable, cloud-neutral name for what an event means. The
// providers set it on every event they synthesize, in the extension
// [KindExtension].
type EventKind string

// The portable kinds.
const (
	KindHTTPRequest          EventKind = "http.request"
	KindQueueMessage         EventKind = "queue.message"
	KindTopicMessage         EventKind = "topic.message"
	KindBusEvent             EventKind = "bus.event"
	KindScheduleFired        EventKind = "schedule.fired"
	KindStreamRecord         EventKind = "stream.record"
	KindStorageObjectCreated EventKind = "storage.object.created"
	KindStorageObjectDeleted EventKind = "storage.object.deleted"
	KindDBDocumentCreated    EventKind = "db.document.created"
	KindDBDocumentUpdated    EventKind = "db.document.updated"
	KindDBDocumentDeleted    EventKind = "db.document.deleted"
	KindDBDocumentWritten    EventKind = "db.document.written"
)

// EventKindOf returns e's portable kind, or "" when it has none.
func EventKindOf(e Event) EventKind {
	s, _ := ExtensionString(e, KindExtension)
	return EventKind(s)
}

// Extension returns the value of e's extension name and whether it is set.
// Unlike e.Extensions(), which copies the map, it reads in place.
func Extension(e Event, name string) (any, bool) {
	if ec, ok := e.Context.(*event.EventContextV1); ok {
		v, ok := ec.Extensions[name]
		return v, ok
	}
	v, err := e.Context.GetExtension(name)
	return v, err == nil
}

// ExtensionString returns e's extension name in its canonical string form.
func ExtensionString(e Event, name string) (string, bool) {
	v, ok := Extension(e, name)
	if !ok {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	s, err := types.Format(v)
	return s, err == nil
}

// NewEvent returns a CloudEvents 1.0 event with the given id, source and
// type, and data of content type ct ("" for none; data is kept, not copied).
// It is event.New plus the setters, without parsing the same source URI on
// every call: parsed sources are cached. A source that is not a
// URI-reference is recorded in the event's FieldErrors, which e.Validate()
// reports.
func NewEvent(id, source, typ, ct string, data []byte) Event {
	ec := &event.EventContextV1{ID: id, Type: typ}
	if ct != "" {
		ec.DataContentType = &ct
	}
	e := Event{Context: ec, DataEncoded: data}
	if u, ok := intern.SourceRef(source); ok {
		ec.Source = u
	} else {
		e.FieldErrors = map[string]error{"source": fmt.Errorf("%q is not a URI-reference", source)}
	}
	return e
}
