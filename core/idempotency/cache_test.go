package idempotency_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/idempotency"
)

// countingStore counts claims.
type countingStore struct {
	idempotency.Store
	claims atomic.Int64
}

func (s *countingStore) Claim(ctx context.Context, rec *idempotency.Record, now time.Time) (*idempotency.Record, error) {
	s.claims.Add(1)
	return s.Store.Claim(ctx, rec, now)
}

// TestCache checks that the per-process cache answers completed duplicates
// without a store call, keeps the most recently used records, and drops
// them when their TTL lapses.
func TestCache(t *testing.T) {
	type step struct {
		id         string
		advance    time.Duration
		wantClaims int64 // store claims in all after the step
	}
	steps := []step{
		{id: "1", wantClaims: 1},
		{id: "1", wantClaims: 1}, // cached
		{id: "2", wantClaims: 2},
		{id: "1", wantClaims: 2}, // cached: 1 is now the most recently used
		{id: "3", wantClaims: 3}, // evicts 2
		{id: "1", wantClaims: 3},
		{id: "2", wantClaims: 4},                         // evicted: read from the store
		{id: "2", advance: 2 * time.Hour, wantClaims: 5}, // expired
	}
	clk := newClock()
	store := &countingStore{Store: idempotency.NewMemoryStore()}
	fn := &counter{}
	mw := idempotency.New(store, idempotency.WithCache(2), idempotency.WithClock(clk.Now), idempotency.WithTTL(time.Hour))(fn.handle)
	for i, s := range steps {
		clk.Advance(s.advance)
		if _, err := mw(context.Background(), event(s.id, `{}`)); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if n := store.claims.Load(); n != s.wantClaims {
			t.Errorf("step %d (id %s): %d store claims in all, want %d", i, s.id, n, s.wantClaims)
		}
	}
	if runs := fn.runs.Load(); runs != 4 {
		t.Errorf("the function ran %d times, want 4 (three ids, one after its TTL)", runs)
	}
}
