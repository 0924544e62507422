package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/idempotencytest"
)

func TestMemoryStoreConformance(t *testing.T) {
	idempotencytest.RunStoreTests(t, func(*testing.T) idempotency.Store { return idempotency.NewMemoryStore() })
}

// TestMemoryStoreSweeps checks that expired records are dropped as new
// ones are claimed, so that memory stays bounded by the live records.
func TestMemoryStoreSweeps(t *testing.T) {
	s := idempotency.NewMemoryStore()
	now := time.Now()
	claim := func(i int, at time.Time) {
		rec := &idempotency.Record{Key: string(rune('a'+i%26)) + time.Duration(i).String(), Status: idempotency.StatusCompleted,
			Token: "t", Expires: at.Add(time.Minute), LockExpires: at.Add(time.Minute)}
		if held, err := s.Claim(context.Background(), rec, at); err != nil || held != nil {
			t.Fatalf("claim %d: %v, %v", i, held, err)
		}
	}
	for i := range 1000 {
		claim(i, now)
	}
	later := now.Add(2 * time.Minute)
	for i := 1000; i < 1100; i++ {
		claim(i, later)
	}
	if n := s.Len(); n > 200 {
		t.Errorf("the store holds %d records after the first 1000 expired, want at most 200", n)
	}
}
