package gcp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Google CloudEvent types polyfn knows by name. Any other type passes through
// as well; these are the ones that get a portable kind or a typed helper.
const (
	TypePubSubMessagePublished  = "google.cloud.pubsub.topic.v1.messagePublished"
	TypeStorageObjectFinalized  = "google.cloud.storage.object.v1.finalized"
	TypeStorageObjectDeleted    = "google.cloud.storage.object.v1.deleted"
	TypeStorageObjectArchived   = "google.cloud.storage.object.v1.archived"
	TypeStorageObjectMetadata   = "google.cloud.storage.object.v1.metadataUpdated"
	TypeFirestoreDocumentPrefix = "google.cloud.firestore.document.v1."
	TypeSchedulerJobExecuted    = "google.cloud.scheduler.job.v1.executed"
	TypeAuditLogWritten         = "google.cloud.audit.log.v1.written"
)

// Extensions polyfn adds to Google's events.
const (
	// PartitionKeyExtension carries a Pub/Sub message's ordering key.
	PartitionKeyExtension = core.PartitionKeyExtension
	// DataRefExtension carries gs://bucket/object for Cloud Storage events.
	DataRefExtension = "dataref"
)

// ErrInvalidEvent is wrapped by every error about a request or payload that
// is not a valid event. Adapters answer it with 400 Bad Request.
var ErrInvalidEvent = errors.New("gcp: invalid event")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
}

// KindOf returns the portable kind of a Google CloudEvent type, or "" when
// none fits (for example Storage's archived and metadataUpdated).
func KindOf(ceType string) core.EventKind {
	switch ceType {
	case TypePubSubMessagePublished:
		return core.KindTopicMessage
	case TypeStorageObjectFinalized:
		return core.KindStorageObjectCreated
	case TypeStorageObjectDeleted:
		return core.KindStorageObjectDeleted
	case TypeSchedulerJobExecuted:
		return core.KindScheduleFired
	case TypeAuditLogWritten:
		return core.KindBusEvent
	}
	verb, ok := strings.CutPrefix(ceType, TypeFirestoreDocumentPrefix)
	if !ok {
		verb, ok = strings.CutPrefix(ceType, "google.cloud.datastore.entity.v1.")
	}
	if ok {
		switch strings.TrimSuffix(verb, ".withAuthContext") {
		case "created":
			return core.KindDBDocumentCreated
		case "updated":
			return core.KindDBDocumentUpdated
		case "deleted":
			return core.KindDBDocumentDeleted
		case "written":
			return core.KindDBDocumentWritten
		}
	}
	return ""
}
