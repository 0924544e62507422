package shop

import (
	"context"
	"errors"
	"time"

	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
)

// lateStore is the idempotency store fulfilment runs with, opened by the
// start hook: the table the manifests create for idempotency.Table
// (core/idempotency/docstore.OpenEnv), or one in memory when no URL is
// set.
type lateStore struct {
	s idempotency.Store
}

func (l *lateStore) open(ctx context.Context) error {
	s, ok, err := docstore.OpenEnv(ctx)
	if err != nil {
		return err
	}
	if !ok {
		s = idempotency.NewMemoryStore()
	}
	l.s = s
	return nil
}

// close closes the store, if it holds a connection.
func (l *lateStore) close(context.Context) error {
	if c, ok := l.s.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

var errNotStarted = errors.New("shop: the idempotency store opens when the app starts")

func (l *lateStore) Claim(ctx context.Context, rec *idempotency.Record, now time.Time) (*idempotency.Record, error) {
	if l.s == nil {
		return nil, errNotStarted
	}
	return l.s.Claim(ctx, rec, now)
}

func (l *lateStore) Complete(ctx context.Context, rec *idempotency.Record) error {
	if l.s == nil {
		return errNotStarted
	}
	return l.s.Complete(ctx, rec)
}

func (l *lateStore) Release(ctx context.Context, key, token string) error {
	if l.s == nil {
		return errNotStarted
	}
	return l.s.Release(ctx, key, token)
}
