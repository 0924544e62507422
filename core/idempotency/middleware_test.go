package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/core/idempotency"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// outcome is what the wrapped function does when it runs.
type outcome int

const (
	reply     outcome = iota // replies with its data and its run count
	noReply                  // succeeds without a reply
	fail                     // returns a retryable error
	permanent                // returns a permanent error
)

var errFunction = errors.New("the function failed")

// counter is an event function that counts its runs.
type counter struct {
	runs atomic.Int64
	do   outcome
}

func (c *counter) handle(_ context.Context, e core.Event) (*core.Event, error) {
	n := c.runs.Add(1)
	switch c.do {
	case noReply:
		return nil, nil
	case fail:
		return nil, errFunction
	case permanent:
		return nil, core.Permanent(errFunction)
	}
	r := core.NewEvent("reply-"+e.ID(), "/test/reply", "com.example.reply", "text/plain", fmt.Appendf(nil, "%s#%d", e.Data(), n))
	return &r, nil
}

func event(id, data string) core.Event {
	return core.NewEvent(id, "/test/source", "com.example.test", "application/json", []byte(data))
}

// failingRelease is a store whose Release fails, as if the process had
// crashed after its claim: the record stays in progress.
type failingRelease struct{ idempotency.Store }

func (failingRelease) Release(context.Context, string, string) error {
	return errors.New("the process crashed")
}

func TestMiddleware(t *testing.T) {
	type step struct {
		id, data string
		advance  time.Duration // of the clock, before the delivery
		deadline time.Duration // of the invocation's context; 0 for none
		do       outcome
		wantRuns int64  // the function's run count after the step
		wantErr  error  // wrapped by the step's error; nil for success
		wantPerm bool   // the error is permanent
		want     string // the reply's data; "" for no reply
	}
	tests := []struct {
		name  string
		opts  []idempotency.Option
		store func() idempotency.Store
		steps []step
	}{
		{name: "a completed duplicate gets the recorded reply", steps: []step{
			{id: "1", data: `{"a":1}`, wantRuns: 1, want: `{"a":1}#1`},
			{id: "1", data: `{"a":1}`, advance: time.Minute, wantRuns: 1, want: `{"a":1}#1`},
		}},
		{name: "a duplicate of a run without reply gets none", steps: []step{
			{id: "1", data: `{}`, do: noReply, wantRuns: 1},
			{id: "1", data: `{}`, do: noReply, wantRuns: 1},
		}},
		{name: "distinct ids each run", steps: []step{
			{id: "1", data: `{}`, wantRuns: 1, want: `{}#1`},
			{id: "2", data: `{}`, wantRuns: 2, want: `{}#2`},
		}},
		{name: "a failed run is released", steps: []step{
			{id: "1", data: `{}`, do: fail, wantRuns: 1, wantErr: errFunction},
			{id: "1", data: `{}`, wantRuns: 2, want: `{}#2`},
			{id: "1", data: `{}`, wantRuns: 2, want: `{}#2`},
		}},
		{name: "a permanent failure is released and stays permanent", steps: []step{
			{id: "1", data: `{}`, do: permanent, wantRuns: 1, wantErr: errFunction, wantPerm: true},
			{id: "1", data: `{}`, wantRuns: 2, want: `{}#2`},
		}},
		{name: "a different payload under one key is refused", steps: []step{
			{id: "1", data: `{"n":1}`, wantRuns: 1, want: `{"n":1}#1`},
			{id: "1", data: `{"n":2}`, wantRuns: 1, wantErr: idempotency.ErrPayloadMismatch, wantPerm: true},
		}},
		{name: "without the payload check a different payload is a duplicate", opts: []idempotency.Option{idempotency.WithPayloadCheck(false)}, steps: []step{
			{id: "1", data: `{"n":1}`, wantRuns: 1, want: `{"n":1}#1`},
			{id: "1", data: `{"n":2}`, wantRuns: 1, want: `{"n":1}#1`},
		}},
		{name: "the TTL lapses", opts: []idempotency.Option{idempotency.WithTTL(time.Hour)}, steps: []step{
			{id: "1", data: `{}`, wantRuns: 1, want: `{}#1`},
			{id: "1", data: `{}`, advance: 59 * time.Minute, wantRuns: 1, want: `{}#1`},
			{id: "1", data: `{}`, advance: 2 * time.Minute, wantRuns: 2, want: `{}#2`},
		}},
		{name: "a crashed run holds the key until its deadline", store: func() idempotency.Store { return failingRelease{idempotency.NewMemoryStore()} }, steps: []step{
			{id: "1", data: `{}`, deadline: 30 * time.Second, do: fail, wantRuns: 1, wantErr: errFunction},
			{id: "1", data: `{}`, advance: 29 * time.Second, wantRuns: 1, wantErr: idempotency.ErrInProgress},
			{id: "1", data: `{}`, advance: 2 * time.Second, wantRuns: 2, want: `{}#2`},
		}},
		{name: "without a deadline the lock lasts the lock timeout", store: func() idempotency.Store { return failingRelease{idempotency.NewMemoryStore()} },
			opts: []idempotency.Option{idempotency.WithLockTimeout(time.Minute)}, steps: []step{
				{id: "1", data: `{}`, do: fail, wantRuns: 1, wantErr: errFunction},
				{id: "1", data: `{}`, advance: 59 * time.Second, wantRuns: 1, wantErr: idempotency.ErrInProgress},
				{id: "1", data: `{}`, advance: 2 * time.Second, wantRuns: 2, want: `{}#2`},
			}},
		{name: "a key function picks a field of the data", opts: []idempotency.Option{idempotency.WithKey(idempotency.JSONField("order"))}, steps: []step{
			{id: "1", data: `{"order":"A7"}`, wantRuns: 1, want: `{"order":"A7"}#1`},
			{id: "2", data: `{"order":"A7"}`, wantRuns: 1, want: `{"order":"A7"}#1`},
			{id: "3", data: `{"order":42}`, wantRuns: 2, want: `{"order":42}#2`},
		}},
		{name: "an event without the key field fails permanently", opts: []idempotency.Option{idempotency.WithKey(idempotency.JSONField("order"))}, steps: []step{
			{id: "1", data: `{"item":"A7"}`, wantRuns: 0, wantErr: errAny, wantPerm: true},
		}},
		{name: "a cached duplicate gets the recorded reply", opts: []idempotency.Option{idempotency.WithCache(8)}, steps: []step{
			{id: "1", data: `{}`, wantRuns: 1, want: `{}#1`},
			{id: "1", data: `{}`, wantRuns: 1, want: `{}#1`},
			{id: "1", data: `{"other":1}`, wantRuns: 1, wantErr: idempotency.ErrPayloadMismatch, wantPerm: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			var store idempotency.Store = idempotency.NewMemoryStore()
			if tt.store != nil {
				store = tt.store()
			}
			fn := &counter{}
			mw := idempotency.New(store, append([]idempotency.Option{idempotency.WithClock(clk.Now)}, tt.opts...)...)(fn.handle)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				fn.do = s.do
				ctx := context.Background()
				if s.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithDeadline(ctx, clk.Now().Add(s.deadline))
					defer cancel()
				}
				got, err := mw(ctx, event(s.id, s.data))
				if runs := fn.runs.Load(); runs != s.wantRuns {
					t.Errorf("step %d: the function ran %d times in all, want %d", i, runs, s.wantRuns)
				}
				checkErr(t, i, err, s.wantErr, s.wantPerm)
				var data string
				if got != nil {
					data = string(got.Data())
				}
				if data != s.want {
					t.Errorf("step %d: reply %q, want %q", i, data, s.want)
				}
			}
		})
	}
}

// errAny stands for any error in a test table.
var errAny = errors.New("any error")

func checkErr(t *testing.T, step int, err, want error, perm bool) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("step %d: %v, want success", step, err)
	case want == nil:
	case err == nil:
		t.Errorf("step %d: success, want an error wrapping %v", step, want)
	case want != errAny && !errors.Is(err, want):
		t.Errorf("step %d: %v, want an error wrapping %v", step, err, want)
	case core.IsPermanent(err) != perm:
		t.Errorf("step %d: %v is %v, want permanent=%v", step, err, core.ErrorKindOf(err), perm)
	}
}

// TestInProgressDuplicate delivers a duplicate while the first delivery
// runs: it fails with a retryable error, and the first one completes.
func TestInProgressDuplicate(t *testing.T) {
	var mw core.EventFunc
	var inner error
	runs := 0
	mw = idempotency.New(idempotency.NewMemoryStore())(func(ctx context.Context, e core.Event) (*core.Event, error) {
		runs++
		_, inner = mw(ctx, e)
		return nil, nil
	})
	if _, err := mw(context.Background(), event("1", `{}`)); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if runs != 1 {
		t.Errorf("the function ran %d times, want 1", runs)
	}
	if !errors.Is(inner, idempotency.ErrInProgress) || core.IsPermanent(inner) {
		t.Errorf("the duplicate got %v, want a retryable error wrapping ErrInProgress", inner)
	}
}

// TestConcurrentDuplicates delivers one event from many goroutines at once:
// the function runs once, and every other delivery gets either the
// retryable in-progress error or the recorded reply.
func TestConcurrentDuplicates(t *testing.T) {
	const n = 50
	fn := &counter{}
	slow := func(ctx context.Context, e core.Event) (*core.Event, error) {
		time.Sleep(20 * time.Millisecond)
		return fn.handle(ctx, e)
	}
	mw := idempotency.New(idempotency.NewMemoryStore())(slow)
	var wg sync.WaitGroup
	var replies, inProgress atomic.Int64
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := mw(context.Background(), event("1", `{}`))
			switch {
			case err == nil && r != nil && string(r.Data()) == `{}#1`:
				replies.Add(1)
			case errors.Is(err, idempotency.ErrInProgress) && !core.IsPermanent(err):
				inProgress.Add(1)
			default:
				t.Errorf("a delivery got %v, %v", r, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if runs := fn.runs.Load(); runs != 1 {
		t.Errorf("the function ran %d times, want 1", runs)
	}
	if replies.Load()+inProgress.Load() != n || replies.Load() < 1 {
		t.Errorf("%d replies and %d in-progress errors, want %d in all and the first run's reply", replies.Load(), inProgress.Load(), n)
	}
}

// TestFunctionsKeepApart delivers one event to two functions sharing a
// store (one topic feeding two subscribers): each runs it.
func TestFunctionsKeepApart(t *testing.T) {
	store := idempotency.NewMemoryStore()
	fn := &counter{}
	mw := idempotency.New(store)(fn.handle)
	for _, name := range []string{"billing", "shipping", "billing"} {
		ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: name})
		if _, err := mw(ctx, event("1", `{}`)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if runs := fn.runs.Load(); runs != 2 {
		t.Errorf("the function ran %d times, want once per function name (2)", runs)
	}
}

// brokenStore fails the calls named in fail.
type brokenStore struct {
	idempotency.Store
	claim, complete bool
}

var errStore = errors.New("the store is down")

func (s brokenStore) Claim(ctx context.Context, rec *idempotency.Record, now time.Time) (*idempotency.Record, error) {
	if s.claim {
		return nil, errStore
	}
	return s.Store.Claim(ctx, rec, now)
}

func (s brokenStore) Complete(ctx context.Context, rec *idempotency.Record) error {
	if s.complete {
		return errStore
	}
	return s.Store.Complete(ctx, rec)
}

// TestStoreErrors checks that a store error is a retryable failure, never
// a silent pass.
func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name     string
		store    brokenStore
		wantRuns int64
	}{
		{"claim fails: the function does not run", brokenStore{claim: true}, 0},
		{"complete fails: the run is reported failed", brokenStore{complete: true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.store.Store = idempotency.NewMemoryStore()
			fn := &counter{}
			_, err := idempotency.New(tt.store)(fn.handle)(context.Background(), event("1", `{}`))
			if !errors.Is(err, errStore) || core.IsPermanent(err) {
				t.Errorf("got %v, want a retryable error wrapping the store's", err)
			}
			if runs := fn.runs.Load(); runs != tt.wantRuns {
				t.Errorf("the function ran %d times, want %d", runs, tt.wantRuns)
			}
		})
	}
}

// TestPanicReleases checks that a panic that reaches the middleware (no
// recovery inside it) releases the record and goes on.
func TestPanicReleases(t *testing.T) {
	runs := 0
	mw := idempotency.New(idempotency.NewMemoryStore())(func(context.Context, core.Event) (*core.Event, error) {
		runs++
		if runs == 1 {
			panic("boom")
		}
		return nil, nil
	})
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the function's panic", v)
			}
		}()
		mw(context.Background(), event("1", `{}`))
	}()
	if _, err := mw(context.Background(), event("1", `{}`)); err != nil || runs != 2 {
		t.Errorf("redelivery after a panic: %v, %d runs; want it to run", err, runs)
	}
}

// TestDeadlinePassed checks that an event whose deadline passed is not
// claimed: it fails retryably without running.
func TestDeadlinePassed(t *testing.T) {
	fn := &counter{}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := idempotency.New(idempotency.NewMemoryStore())(fn.handle)(ctx, event("1", `{}`))
	if !errors.Is(err, context.DeadlineExceeded) || core.IsPermanent(err) || fn.runs.Load() != 0 {
		t.Errorf("got %v after %d runs, want a retryable deadline error without a run", err, fn.runs.Load())
	}
}
