package idempotency

import (
	"context"
	"errors"
	"time"
)

// Status is the state of a record.
type Status uint8

const (
	// StatusInProgress is a record whose run has started and not ended.
	StatusInProgress Status = iota + 1
	// StatusCompleted is a record whose run succeeded; it holds the reply.
	StatusCompleted
	// StatusExpired is a record past its lock (in progress) or its TTL
	// (completed): it no longer holds the key. Stores never store it;
	// [Record.State] derives it.
	StatusExpired
)

// String returns "in progress", "completed" or "expired".
func (s Status) String() string {
	switch s {
	case StatusInProgress:
		return "in progress"
	case StatusCompleted:
		return "completed"
	case StatusExpired:
		return "expired"
	}
	return "unknown"
}

// A Record is what a Store keeps about one key.
type Record struct {
	// Key is the store key the middleware computed (the function's name and
	// a digest of the event's key).
	Key string
	// Status is StatusInProgress or StatusCompleted.
	Status Status
	// Token identifies the claim that wrote the record: only its holder may
	// complete or release it.
	Token string
	// PayloadHash is a digest of the event's data.
	PayloadHash string
	// LockExpires is when an in-progress record stops holding the key: the
	// invocation's deadline.
	LockExpires time.Time
	// Expires is when the record stops holding the key whatever its status
	// (the TTL). Stores backed by a database configure its time-to-live
	// feature on it, to delete old records.
	Expires time.Time
	// Reply is the reply event, in the CloudEvents JSON format; nil when the
	// function replied nothing.
	Reply []byte
}

// State returns the record's state at now: its Status while it holds the
// key, StatusExpired after its lock (in progress) or its TTL lapsed.
func (r *Record) State(now time.Time) Status {
	if !now.Before(r.Expires) {
		return StatusExpired
	}
	if r.Status == StatusInProgress && !now.Before(r.LockExpires) {
		return StatusExpired
	}
	return r.Status
}

// ErrNotOwner is the error of Complete and Release when the record is gone
// or held by another claim (the caller's lock lapsed and another run took
// the key over).
var ErrNotOwner = errors.New("idempotency: the record is not held by this claim")

// A Store keeps records with conditional writes, so that of two processes
// claiming one key at once exactly one wins. Its methods may be called
// concurrently. The conformance suite in package idempotencytest checks an
// implementation.
type Store interface {
	// Claim writes rec (StatusInProgress) if no record holds rec.Key at now:
	// none exists, or the one that exists is expired (see Record.State).
	// It returns nil, nil when it wrote rec, and the live record that holds
	// the key otherwise, unchanged.
	Claim(ctx context.Context, rec *Record, now time.Time) (*Record, error)
	// Complete replaces the record at rec.Key with rec if the record there
	// carries rec.Token, and returns ErrNotOwner otherwise.
	Complete(ctx context.Context, rec *Record) error
	// Release deletes the record at key if it carries token, and returns
	// ErrNotOwner otherwise.
	Release(ctx context.Context, key, token string) error
}
