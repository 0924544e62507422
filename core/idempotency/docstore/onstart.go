package docstore

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

// OnStart returns a store that app's start hook opens from the environment
// (OpenEnv, or an idempotency.MemoryStore when neither variable is set)
// and its stop hook closes. An App registers its middleware before an
// adapter starts it, and reads its environment only then: this store joins
// the two.
//
//	app.Event("fulfil", idempotency.New(docstore.OnStart(app))(fulfil),
//		core.OnQueue("orders"), idempotency.Uses())
//
// Used before app has started, its methods fail with ErrNotStarted, which
// the middleware reports as a retryable failure.
func OnStart(app *core.App) idempotency.Store {
	s := &startStore{}
	app.OnStart(func(ctx context.Context, _ core.Config) error {
		store, ok, err := OpenEnv(ctx)
		if err != nil {
			return err
		}
		if !ok {
			store = idempotency.NewMemoryStore()
		}
		s.s.Store(&store)
		return nil
	})
	app.OnStop(func(context.Context) error {
		if p := s.s.Load(); p != nil {
			if c, ok := (*p).(io.Closer); ok {
				return c.Close()
			}
		}
		return nil
	})
	return s
}

// ErrNotStarted is returned by the store OnStart returns until its App
// has started.
var ErrNotStarted = errors.New("idempotency store: the App has not started yet (the store opens in its start hook)")

type startStore struct {
	s atomic.Pointer[idempotency.Store]
}

func (l *startStore) store() (idempotency.Store, error) {
	if p := l.s.Load(); p != nil {
		return *p, nil
	}
	return nil, ErrNotStarted
}

func (l *startStore) Claim(ctx context.Context, rec *idempotency.Record, now time.Time) (*idempotency.Record, error) {
	s, err := l.store()
	if err != nil {
		return nil, err
	}
	return s.Claim(ctx, rec, now)
}

func (l *startStore) Complete(ctx context.Context, rec *idempotency.Record) error {
	s, err := l.store()
	if err != nil {
		return err
	}
	return s.Complete(ctx, rec)
}

func (l *startStore) Release(ctx context.Context, key, token string) error {
	s, err := l.store()
	if err != nil {
		return err
	}
	return s.Release(ctx, key, token)
}
