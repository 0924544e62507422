package docstore

import (
	"time"

	"github.com/polyfn/polyfn/core/idempotency"
)

// document is a record as the collection stores it. Times are Unix
// milliseconds, named so; expiration alone is in seconds, as the TTL
// features of DynamoDB and Firestore read it, and the store never compares
// it.
type document struct {
	ID               string `docstore:"id"`
	Status           string `docstore:"status"`
	Token            string `docstore:"token"`
	Hash             string `docstore:"hash"`
	LockExpiresMS    int64  `docstore:"lock_expires_ms"`
	ExpiresMS        int64  `docstore:"expires_ms"`
	Expiration       int64  `docstore:"expiration"`
	Reply            []byte `docstore:"reply"`
	DocstoreRevision any
}

const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
)

// toDocument returns rec as a document at revision rev (nil to create it).
func toDocument(rec *idempotency.Record, rev any) *document {
	status := statusInProgress
	if rec.Status == idempotency.StatusCompleted {
		status = statusCompleted
	}
	return &document{
		ID:               rec.Key,
		Status:           status,
		Token:            rec.Token,
		Hash:             rec.PayloadHash,
		LockExpiresMS:    rec.LockExpires.UnixMilli(),
		ExpiresMS:        rec.Expires.UnixMilli(),
		Expiration:       ceilSeconds(rec.Expires),
		Reply:            rec.Reply,
		DocstoreRevision: rev,
	}
}

// ceilSeconds returns t in Unix seconds, rounded up, so that a TTL sweep
// never deletes a record before it expires.
func ceilSeconds(t time.Time) int64 {
	ms := t.UnixMilli()
	s := ms / 1000
	if ms%1000 > 0 {
		s++
	}
	return s
}

// record returns the document as a Record.
func (d *document) record() *idempotency.Record {
	status := idempotency.StatusInProgress
	if d.Status == statusCompleted {
		status = idempotency.StatusCompleted
	}
	return &idempotency.Record{
		Key:         d.ID,
		Status:      status,
		Token:       d.Token,
		PayloadHash: d.Hash,
		LockExpires: time.UnixMilli(d.LockExpiresMS),
		Expires:     time.UnixMilli(d.ExpiresMS),
		Reply:       d.Reply,
	}
}
