package core

// KindExtension is the name of the CloudEvents extension that carries an
// event's portable kind.
const KindExtension = "polyfnkind"

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
	v, ok := e.Extensions()[KindExtension]
	if !ok {
		return ""
	}
	s, _ := v.(string)
	return EventKind(s)
}

// SetEventKind sets e's portable kind. An empty kind removes it.
func SetEventKind(e *Event, k EventKind) {
	if k == "" {
		if ext := e.Extensions(); ext != nil {
			delete(ext, KindExtension)
		}
		return
	}
	e.SetExtension(KindExtension, string(k))
}
