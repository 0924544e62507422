package driver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

// newEvent returns a valid event with id and JSON data {"n":1}.
func newEvent(id string) core.Event {
	e := core.NewEvent(id, "/test", "com.example.test", "application/json", []byte(`{"n":1}`))
	return e
}

// batchOf returns events with ids "0".."n-1" and the given partition keys.
func batchOf(keys ...string) []core.Event {
	evs := make([]core.Event, len(keys))
	for i, k := range keys {
		e := newEvent(fmt.Sprint(i))
		if k != "" {
			e.SetExtension(core.PartitionKeyExtension, k)
		}
		evs[i] = e
	}
	return evs
}

// recorder is an EventFunc that fails the ids in fail and records the ids it ran.
type recorder struct {
	mu   sync.Mutex
	ran  []string
	fail map[string]bool
}

func (r *recorder) fn(_ context.Context, e core.Event) (*core.Event, error) {
	r.mu.Lock()
	r.ran = append(r.ran, e.ID())
	r.mu.Unlock()
	if r.fail[e.ID()] {
		return nil, errors.New("fail " + e.ID())
	}
	reply := newEvent("re-" + e.ID())
	return &reply, nil
}

func outcome(res BatchResult) string {
	var b strings.Builder
	for _, r := range res.Records {
		switch {
		case errors.Is(r.Err, ErrSkipped):
			b.WriteByte('s')
		case r.Err != nil:
			b.WriteByte('F')
		default:
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestRunBatch(t *testing.T) {
	tests := []struct {
		name    string
		keys    []string
		fail    string // ids that fail, comma separated
		opts    BatchOptions
		want    string // per record: . ok, F failed, s skipped
		wantRan string // ids run, in order (sequential cases only)
	}{
		{"all ok", []string{"", "", ""}, "", BatchOptions{}, "...", "0,1,2"},
		{"failures do not stop others by default", []string{"a", "a", "a"}, "1", BatchOptions{}, ".F.", "0,1,2"},
		{"stop on failure skips the rest of the key", []string{"a", "b", "a", "b", "a"}, "2", BatchOptions{StopOnFailure: true}, "..F.s", "0,1,2,3"},
		{"stop on failure, two keys fail", []string{"a", "b", "a", "b"}, "0,1", BatchOptions{StopOnFailure: true}, "FFss", "0,1"},
		{"stop on failure without keys stops all", []string{"", "", ""}, "0", BatchOptions{StopOnFailure: true}, "Fss", "0"},
		{"custom key", []string{"", "", ""}, "0", BatchOptions{StopOnFailure: true, Key: func(i int) string { return fmt.Sprint(i) }}, "F..", "0,1,2"},
		{"concurrent keeps outcome", []string{"a", "b", "a", "b", "a", "c"}, "2", BatchOptions{Concurrency: 3, StopOnFailure: true}, "..F.s.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{fail: map[string]bool{}}
			for _, id := range strings.Split(tt.fail, ",") {
				if id != "" {
					r.fail[id] = true
				}
			}
			res := RunBatch(context.Background(), r.fn, batchOf(tt.keys...), tt.opts)
			if got := outcome(res); got != tt.want {
				t.Fatalf("outcome %q, want %q (%v)", got, tt.want, res.Err())
			}
			if tt.wantRan != "" && strings.Join(r.ran, ",") != tt.wantRan {
				t.Fatalf("ran %v, want %s", r.ran, tt.wantRan)
			}
			for i, rec := range res.Records {
				if rec.Err == nil && (rec.Reply == nil || rec.Reply.ID() != "re-"+fmt.Sprint(i)) {
					t.Fatalf("record %d: reply %v not kept", i, rec.Reply)
				}
			}
			if len(res.Failed()) != strings.Count(tt.want, "F")+strings.Count(tt.want, "s") {
				t.Fatalf("Failed() = %v", res.Failed())
			}
		})
	}
}

func TestRunBatchConcurrentOrderPerKey(t *testing.T) {
	keys := make([]string, 0, 60)
	for i := 0; i < 60; i++ {
		keys = append(keys, fmt.Sprint("k", i%4))
	}
	evs := batchOf(keys...)
	var mu sync.Mutex
	seen := map[string][]int{}
	running, peak := 0, 0
	fn := func(_ context.Context, e core.Event) (*core.Event, error) {
		mu.Lock()
		running++
		peak = max(peak, running)
		k, _ := core.ExtensionString(e, core.PartitionKeyExtension)
		var id int
		fmt.Sscan(e.ID(), &id)
		seen[k] = append(seen[k], id)
		mu.Unlock()
		time.Sleep(200 * time.Microsecond)
		mu.Lock()
		running--
		mu.Unlock()
		return nil, nil
	}
	res := RunBatch(context.Background(), fn, evs, BatchOptions{Concurrency: 3})
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	for k, ids := range seen {
		for i := 1; i < len(ids); i++ {
			if ids[i] < ids[i-1] {
				t.Fatalf("key %s ran out of order: %v", k, ids)
			}
		}
	}
	if peak > 3 {
		t.Fatalf("%d records ran at once, want at most 3", peak)
	}
	if peak < 2 {
		t.Fatalf("records never overlapped (peak %d): concurrency was not used", peak)
	}
}

func TestRunBatchCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	fn := func(context.Context, core.Event) (*core.Event, error) {
		n++
		cancel()
		return nil, nil
	}
	res := RunBatch(ctx, fn, batchOf("", "", ""), BatchOptions{})
	if outcome(res) != ".FF" || n != 1 {
		t.Fatalf("outcome %q after %d runs: records after cancellation must fail, not be acknowledged", outcome(res), n)
	}
	if !errors.Is(res.Records[1].Err, context.Canceled) {
		t.Fatalf("err = %v", res.Records[1].Err)
	}
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "record 1: not run") {
		t.Fatalf("Err() = %v", err)
	}
}

func TestRunBatchRecordContext(t *testing.T) {
	type key struct{}
	evs := batchOf("a", "b", "a", "c")
	var mu sync.Mutex
	got := map[string]int{}
	fn := func(ctx context.Context, e core.Event) (*core.Event, error) {
		mu.Lock()
		got[e.ID()] = ctx.Value(key{}).(int)
		mu.Unlock()
		return nil, nil
	}
	keys := []string{"x", "y", "x", "z"}
	opts := BatchOptions{
		Concurrency: 2,
		Key:         func(i int) string { return keys[i] },
		Context:     func(ctx context.Context, i int) context.Context { return context.WithValue(ctx, key{}, i) },
	}
	if err := RunBatch(context.Background(), fn, evs, opts).Err(); err != nil {
		t.Fatal(err)
	}
	for i, e := range evs {
		if got[e.ID()] != i {
			t.Fatalf("record %s ran with index %d, want %d", e.ID(), got[e.ID()], i)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		err   error
		want  Outcome
		retry bool
	}{
		{nil, OK, false},
		{errors.New("db down"), Retryable, true},
		{core.Permanentf("bad order"), Permanent, false},
		{&core.PanicError{Value: "boom"}, Panic, true},
		{fmt.Errorf("call: %w", context.DeadlineExceeded), Deadline, true},
		{core.Permanent(context.DeadlineExceeded), Permanent, false},
		{ErrSkipped, Skipped, true},
	}
	for _, tt := range tests {
		got := OutcomeOf(tt.err)
		if got != tt.want || got.Retry() != tt.retry {
			t.Errorf("OutcomeOf(%v) = %s (retry %v), want %s (retry %v)", tt.err, got, got.Retry(), tt.want, tt.retry)
		}
		if r := (RecordResult{Err: tt.err}); r.Outcome() != tt.want {
			t.Errorf("RecordResult.Outcome() = %s", r.Outcome())
		}
	}
	if Outcome(99).String() != "unknown" || Deadline.String() != "deadline" {
		t.Error("Outcome.String")
	}
}
