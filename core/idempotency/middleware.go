package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// ErrInProgress is wrapped by the retryable error of a duplicate that
// arrives while the first delivery still runs: the platform retries it
// later, and by then it gets the first run's reply.
var ErrInProgress = errors.New("idempotency: a delivery of this event is still running")

// ErrPayloadMismatch is wrapped by the permanent error of an event whose
// key was recorded with different data: a producer reused an id, or the key
// function picks a field that is not unique.
var ErrPayloadMismatch = errors.New("idempotency: the key was recorded with different data")

// New returns middleware that runs each event once per key, recording runs
// in store (see the package documentation). It is safe for concurrent use.
//
//	app.Use(idempotency.New(store))
func New(store Store, opts ...Option) core.Middleware {
	if store == nil {
		panic("idempotency: New called with a nil Store")
	}
	cfg := newConfig(opts)
	var c *cache
	if cfg.cacheSize > 0 {
		c = newCache(cfg.cacheSize)
	}
	return func(next core.EventFunc) core.EventFunc {
		m := &middleware{cfg: cfg, store: store, cache: c, next: next}
		return m.handle
	}
}

type middleware struct {
	cfg   config
	store Store
	cache *cache
	next  core.EventFunc
}

func (m *middleware) handle(ctx context.Context, e core.Event) (*core.Event, error) {
	k, err := m.cfg.key(e)
	if err != nil {
		return nil, core.Permanent(fmt.Errorf("idempotency: %w", err))
	}
	now := m.cfg.now()
	rec := &Record{
		Key:         storeKey(core.InvocationFrom(ctx).Function, k),
		Status:      StatusInProgress,
		PayloadHash: payloadHash(e),
		LockExpires: now.Add(m.cfg.lockTimeout),
		Expires:     now.Add(m.cfg.ttl),
	}
	if m.cache != nil {
		if held, ok := m.cache.get(rec.Key, now); ok {
			return m.duplicate(rec, held)
		}
	}
	if d, ok := ctx.Deadline(); ok {
		rec.LockExpires = d
	}
	if rec.Expires.Before(rec.LockExpires) {
		rec.Expires = rec.LockExpires
	}
	if !now.Before(rec.LockExpires) {
		return nil, core.Retryable(fmt.Errorf("idempotency: no time left before the deadline: %w", context.DeadlineExceeded))
	}
	if rec.Token, err = newToken(); err != nil {
		return nil, core.Retryable(err)
	}
	held, err := m.store.Claim(ctx, rec, now)
	if err != nil {
		return nil, core.Retryable(fmt.Errorf("idempotency: claim: %w", err))
	}
	if held != nil {
		if held.Status == StatusCompleted && m.cache != nil {
			m.cache.put(held)
		}
		return m.duplicate(rec, held)
	}
	return m.run(ctx, e, rec)
}

// duplicate answers an event whose key a live record holds.
func (m *middleware) duplicate(rec, held *Record) (*core.Event, error) {
	if m.cfg.checkPayload && held.PayloadHash != rec.PayloadHash {
		return nil, core.Permanent(ErrPayloadMismatch)
	}
	if held.Status != StatusCompleted {
		return nil, core.Retryable(ErrInProgress)
	}
	if held.Reply == nil {
		return nil, nil
	}
	reply, err := cejson.Unmarshal(held.Reply)
	if err != nil {
		return nil, core.Retryable(fmt.Errorf("idempotency: the recorded reply is not a CloudEvent: %w", err))
	}
	return &reply, nil
}

// run runs the function for a claimed record, then completes the record
// or, when the function failed or panicked, releases it.
func (m *middleware) run(ctx context.Context, e core.Event, rec *Record) (reply *core.Event, err error) {
	done := false
	defer func() {
		if done {
			return
		}
		// A panic outside core's recovery: free the key, then let it go on.
		m.release(ctx, rec)
	}()
	reply, err = m.next(ctx, e)
	done = true
	if err != nil {
		if rerr := m.release(ctx, rec); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	if reply != nil {
		if rec.Reply, err = cejson.Marshal(*reply); err != nil {
			m.release(ctx, rec)
			return nil, core.Retryable(fmt.Errorf("idempotency: encode the reply: %w", err))
		}
	}
	rec.Status = StatusCompleted
	rec.Expires = m.cfg.now().Add(m.cfg.ttl)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.storeTimeout)
	defer cancel()
	if err := m.store.Complete(sctx, rec); err != nil {
		// The function ran, but a redelivery could not tell: say so, and
		// keep the lock until it lapses rather than invite a rerun now.
		return nil, core.Retryable(fmt.Errorf("idempotency: the function ran but its record was not completed: %w", err))
	}
	if m.cache != nil {
		m.cache.put(rec)
	}
	return reply, nil
}

// release deletes rec so that the next delivery runs; its error says why
// it could not.
func (m *middleware) release(ctx context.Context, rec *Record) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.storeTimeout)
	defer cancel()
	if err := m.store.Release(sctx, rec.Key, rec.Token); err != nil {
		return fmt.Errorf("idempotency: release the record (it holds the key until its lock lapses): %w", err)
	}
	return nil
}

// newToken returns a random claim token.
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("idempotency: claim token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
