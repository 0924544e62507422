package idempotency

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a Store that keeps records in the process: duplicates
// delivered to another process (another Lambda instance, another replica)
// are not seen. Use it for one process, for tests and as the reference
// implementation. Expired records are dropped as new ones are claimed.
type MemoryStore struct {
	mu      sync.Mutex
	recs    map[string]Record
	sweepAt int // len(recs) at which Claim next drops expired records
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{recs: map[string]Record{}, sweepAt: 1024}
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, rec *Record, now time.Time) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.recs[rec.Key]; ok && cur.State(now) != StatusExpired {
		return &cur, nil
	}
	s.recs[rec.Key] = *rec
	if len(s.recs) >= s.sweepAt {
		s.sweep(now)
	}
	return nil, nil
}

// sweep drops expired records and sets the next sweep at twice what is
// left, so that sweeping costs O(1) per claim on average.
func (s *MemoryStore) sweep(now time.Time) {
	for k, r := range s.recs {
		if r.State(now) == StatusExpired {
			delete(s.recs, k)
		}
	}
	s.sweepAt = max(1024, 2*len(s.recs))
}

// Complete implements Store.
func (s *MemoryStore) Complete(_ context.Context, rec *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.recs[rec.Key]; !ok || cur.Token != rec.Token {
		return ErrNotOwner
	}
	s.recs[rec.Key] = *rec
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.recs[key]; !ok || cur.Token != token {
		return ErrNotOwner
	}
	delete(s.recs, key)
	return nil
}

// Len returns how many records the store holds, expired ones not yet
// dropped included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}
