// Package idempotencytest is the conformance suite of idempotency.Store
// implementations, in the style of go-cloud's drivertest: a store's tests
// call RunStoreTests, which checks the claim, the lock and TTL expiry at
// millisecond precision, ownership by token, and that of many concurrent
// claims of one key exactly one wins.
package idempotencytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/idempotency"
)

// A StoreMaker returns the store under test. The suite uses fresh random
// keys in every test, so one store (one table) may serve every call.
type StoreMaker func(t *testing.T) idempotency.Store

// RunStoreTests runs the conformance suite on the stores mk makes.
func RunStoreTests(t *testing.T, mk StoreMaker) {
	tests := []struct {
		name string
		run  func(t *testing.T, s idempotency.Store)
	}{
		{"ClaimFree", testClaimFree},
		{"ClaimHeld", testClaimHeld},
		{"LockLapses", testLockLapses},
		{"CompleteThenDuplicate", testCompleteThenDuplicate},
		{"TTLLapses", testTTLLapses},
		{"Release", testRelease},
		{"NotOwner", testNotOwner},
		{"ConcurrentClaims", func(t *testing.T, s idempotency.Store) { testConcurrentClaims(t, s, false) }},
		{"ConcurrentTakeover", func(t *testing.T, s idempotency.Store) { testConcurrentClaims(t, s, true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, mk(t)) })
	}
}

// base is the suite's clock origin, at millisecond precision.
func base() time.Time { return time.Now().Truncate(time.Millisecond) }

func randomString(t testing.TB) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// inProgress returns a fresh in-progress record with a random key and token.
func inProgress(t *testing.T, now time.Time, lock time.Duration) *idempotency.Record {
	return &idempotency.Record{
		Key:         "conformance#" + randomString(t),
		Status:      idempotency.StatusInProgress,
		Token:       randomString(t),
		PayloadHash: "hash-" + randomString(t),
		LockExpires: now.Add(lock),
		Expires:     now.Add(time.Hour),
	}
}

// another returns rec claimed again by another delivery: same key, new token.
func another(t *testing.T, rec *idempotency.Record) *idempotency.Record {
	r := *rec
	r.Token = randomString(t)
	return &r
}

func claim(t *testing.T, s idempotency.Store, rec *idempotency.Record, now time.Time) *idempotency.Record {
	t.Helper()
	held, err := s.Claim(context.Background(), rec, now)
	if err != nil {
		t.Fatalf("Claim(%s): %v", rec.Key, err)
	}
	return held
}

func mustClaim(t *testing.T, s idempotency.Store, rec *idempotency.Record, now time.Time) {
	t.Helper()
	if held := claim(t, s, rec, now); held != nil {
		t.Fatalf("Claim(%s) at %v: held by %+v, want the claim to succeed", rec.Key, now, *held)
	}
}

func mustBeHeld(t *testing.T, s idempotency.Store, rec *idempotency.Record, now time.Time, want *idempotency.Record) {
	t.Helper()
	held := claim(t, s, another(t, rec), now)
	if held == nil {
		t.Fatalf("Claim(%s) at %v succeeded, want it held by %+v", rec.Key, now, *want)
	}
	if err := sameRecord(held, want); err != nil {
		t.Fatalf("Claim(%s) returned the wrong holder: %v", rec.Key, err)
	}
}

// sameRecord compares two records, times at millisecond precision.
func sameRecord(got, want *idempotency.Record) error {
	var errs []error
	check := func(what string, ok bool, g, w any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s = %v, want %v", what, g, w))
		}
	}
	check("Key", got.Key == want.Key, got.Key, want.Key)
	check("Status", got.Status == want.Status, got.Status, want.Status)
	check("Token", got.Token == want.Token, got.Token, want.Token)
	check("PayloadHash", got.PayloadHash == want.PayloadHash, got.PayloadHash, want.PayloadHash)
	check("LockExpires", got.LockExpires.UnixMilli() == want.LockExpires.UnixMilli(), got.LockExpires, want.LockExpires)
	check("Expires", got.Expires.UnixMilli() == want.Expires.UnixMilli(), got.Expires, want.Expires)
	check("Reply", bytes.Equal(got.Reply, want.Reply) && (got.Reply == nil) == (want.Reply == nil), got.Reply, want.Reply)
	return errors.Join(errs...)
}

func testClaimFree(t *testing.T, s idempotency.Store) {
	now := base()
	mustClaim(t, s, inProgress(t, now, time.Minute), now)
}

func testClaimHeld(t *testing.T, s idempotency.Store) {
	now := base()
	rec := inProgress(t, now, time.Minute)
	mustClaim(t, s, rec, now)
	mustBeHeld(t, s, rec, now.Add(time.Second), rec)
}

// testLockLapses checks the lock at millisecond precision (a store mixing
// seconds and milliseconds fails it), and that a lapsed claim's holder can
// no longer complete or release the record taken over.
func testLockLapses(t *testing.T, s idempotency.Store) {
	now := base()
	first := inProgress(t, now, 300*time.Millisecond)
	mustClaim(t, s, first, now)
	mustBeHeld(t, s, first, now.Add(200*time.Millisecond), first)
	second := another(t, first)
	second.LockExpires = now.Add(time.Minute)
	mustClaim(t, s, second, now.Add(400*time.Millisecond))
	ctx := context.Background()
	done := *first
	done.Status = idempotency.StatusCompleted
	if err := s.Complete(ctx, &done); !errors.Is(err, idempotency.ErrNotOwner) {
		t.Errorf("Complete by the lapsed claim: %v, want ErrNotOwner", err)
	}
	if err := s.Release(ctx, first.Key, first.Token); !errors.Is(err, idempotency.ErrNotOwner) {
		t.Errorf("Release by the lapsed claim: %v, want ErrNotOwner", err)
	}
	mustBeHeld(t, s, second, now.Add(450*time.Millisecond), second)
}

func completed(rec *idempotency.Record, now time.Time, ttl time.Duration, reply []byte) *idempotency.Record {
	r := *rec
	r.Status = idempotency.StatusCompleted
	r.Expires = now.Add(ttl)
	r.Reply = reply
	return &r
}

func testCompleteThenDuplicate(t *testing.T, s idempotency.Store) {
	for _, reply := range [][]byte{nil, []byte(`{"specversion":"1.0","id":"r","source":"/s","type":"t"}`)} {
		now := base()
		rec := inProgress(t, now, time.Minute)
		mustClaim(t, s, rec, now)
		done := completed(rec, now, time.Hour, reply)
		if err := s.Complete(context.Background(), done); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		// Past the in-progress lock: a completed record holds the key until its TTL.
		mustBeHeld(t, s, rec, now.Add(2*time.Minute), done)
	}
}

func testTTLLapses(t *testing.T, s idempotency.Store) {
	now := base()
	rec := inProgress(t, now, time.Second)
	mustClaim(t, s, rec, now)
	done := completed(rec, now, 1500*time.Millisecond, []byte(`{}`))
	if err := s.Complete(context.Background(), done); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	mustBeHeld(t, s, rec, now.Add(1400*time.Millisecond), done)
	mustClaim(t, s, another(t, rec), now.Add(1600*time.Millisecond))
}

func testRelease(t *testing.T, s idempotency.Store) {
	now := base()
	rec := inProgress(t, now, time.Minute)
	mustClaim(t, s, rec, now)
	if err := s.Release(context.Background(), rec.Key, rec.Token); err != nil {
		t.Fatalf("Release: %v", err)
	}
	mustClaim(t, s, another(t, rec), now)
}

func testNotOwner(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	now := base()
	rec := inProgress(t, now, time.Minute)
	if err := s.Release(ctx, rec.Key, rec.Token); !errors.Is(err, idempotency.ErrNotOwner) {
		t.Errorf("Release of a missing record: %v, want ErrNotOwner", err)
	}
	if err := s.Complete(ctx, completed(rec, now, time.Hour, nil)); !errors.Is(err, idempotency.ErrNotOwner) {
		t.Errorf("Complete of a missing record: %v, want ErrNotOwner", err)
	}
	mustClaim(t, s, rec, now)
	other := another(t, rec)
	if err := s.Release(ctx, rec.Key, other.Token); !errors.Is(err, idempotency.ErrNotOwner) {
		t.Errorf("Release with another token: %v, want ErrNotOwner", err)
	}
	if err := s.Complete(ctx, completed(other, now, time.Hour, nil)); !errors.Is(err, idempotency.ErrNotOwner) {
		t.Errorf("Complete with another token: %v, want ErrNotOwner", err)
	}
	mustBeHeld(t, s, rec, now, rec)
}

// testConcurrentClaims claims one key from many goroutines at once, on a
// free key or (takeover) on one whose lock lapsed: exactly one may win,
// and every other one sees the winner.
func testConcurrentClaims(t *testing.T, s idempotency.Store, takeover bool) {
	const n = 24
	now := base()
	rec := inProgress(t, now, time.Minute)
	at := now
	if takeover {
		stale := *rec
		stale.LockExpires = now.Add(10 * time.Millisecond)
		mustClaim(t, s, &stale, now)
		at = now.Add(time.Second)
	}
	recs := make([]*idempotency.Record, n)
	held := make([]*idempotency.Record, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range recs {
		recs[i] = another(t, rec)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			held[i], errs[i] = s.Claim(context.Background(), recs[i], at)
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i := range recs {
		switch {
		case errs[i] != nil:
			t.Errorf("claim %d: %v", i, errs[i])
		case held[i] == nil && winner >= 0:
			t.Errorf("claims %d and %d both won", winner, i)
		case held[i] == nil:
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("none of %d claims won", n)
	}
	for i := range recs {
		if held[i] != nil && held[i].Token != recs[winner].Token {
			t.Errorf("claim %d saw token %s, want the winner's %s", i, held[i].Token, recs[winner].Token)
		}
	}
}
