package polyfntest

import (
	"context"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
)

// An Outcome is what became of one record: the runtime's classification of
// the function's error.
type Outcome = driver.Outcome

// The outcomes.
const (
	// OK: the function succeeded.
	OK = driver.OK
	// Permanent: the function failed with a core.Permanent error; the
	// platform dead-letters or drops the record.
	Permanent = driver.Permanent
	// Retryable: the function failed with any other error; the platform
	// delivers the record again.
	Retryable = driver.Retryable
	// Panic: the function panicked.
	Panic = driver.Panic
	// Deadline: the invocation's deadline passed first.
	Deadline = driver.Deadline
	// Skipped: the record did not run, because an earlier record with the
	// same ordering key failed in an ordered batch.
	Skipped = driver.Skipped
)

// A Result is what one Run did, record by record, in the delivery's order.
type Result struct {
	t T
	// Events are the events the function got, one per record.
	Events []core.Event
	// Replies are the reply events the function returned (nil for none).
	Replies []*core.Event
	// Errs are the function's errors (nil for a success).
	Errs []error
	// Invocations are the invocations the runtime saw, in order.
	Invocations []core.Invocation
}

// Run runs d's function on d as the kit's provider does, through the
// invocation runtime every adapter uses: each invocation begins with the
// invocation metadata and deadline the function sees (core.InvocationFrom),
// runs one event or, for a batch, every record (in order per key for an
// ordered source), with the App's middleware and panic recovery, and logs
// each failure to the test's log.
func (k *Kit) Run(d Delivery) *Result {
	return k.RunContext(context.Background(), d)
}

// RunContext is Run with ctx as the platform's context: a deadline in ctx
// is the platform's deadline.
func (k *Kit) RunContext(ctx context.Context, d Delivery) *Result {
	k.t.Helper()
	switch {
	case len(d.invocations) == 0:
		k.t.Fatalf("polyfntest: an empty delivery: build one with the kit's Queue, Topic, Schedule, Stream or StorageObject")
	case d.provider != k.provider:
		k.t.Fatalf("polyfntest: a delivery built by the %s kit cannot run on the %s kit", d.provider, k.provider)
	}
	fn := k.function(d.Function, core.EventFunction)
	res := &Result{t: k.t}
	for _, inv := range d.invocations {
		ictx, cancel := fn.Begin(ctx, invoke.Start{Trigger: inv.trigger})
		res.Invocations = append(res.Invocations, core.InvocationFrom(ictx))
		var br driver.BatchResult
		if len(inv.events) == 1 && !inv.batch {
			rctx := ictx
			if inv.opts.Context != nil {
				rctx = inv.opts.Context(ictx, 0)
			}
			br.Records = []driver.RecordResult{fn.Event(rctx, inv.events[0])}
		} else {
			br = fn.Batch(ictx, inv.events, inv.opts)
		}
		cancel()
		for i, r := range br.Records {
			res.Events = append(res.Events, inv.events[i])
			res.Replies = append(res.Replies, r.Reply)
			res.Errs = append(res.Errs, r.Err)
		}
	}
	return res
}

// Outcomes returns each record's outcome.
func (r *Result) Outcomes() []Outcome {
	out := make([]Outcome, len(r.Errs))
	for i, err := range r.Errs {
		out[i] = driver.OutcomeOf(err)
	}
	return out
}

// Failed returns the indexes of the records that failed: those the
// platform delivers again or dead-letters.
func (r *Result) Failed() []int {
	var idx []int
	for i, err := range r.Errs {
		if err != nil {
			idx = append(idx, i)
		}
	}
	return idx
}

// Expect checks each record's outcome against want, one per record in
// order, and fails the test naming every record that differs, with its
// event id and the function's error. It returns r.
func (r *Result) Expect(want ...Outcome) *Result {
	r.t.Helper()
	got := r.Outcomes()
	if len(want) != len(got) {
		r.t.Errorf("polyfntest: %d records ran, %d outcomes expected (got %v)", len(got), len(want), got)
		return r
	}
	var diffs []string
	for i := range got {
		if got[i] != want[i] {
			d := fmt.Sprintf("record %d (event %s): %s, want %s", i, r.Events[i].ID(), got[i], want[i])
			if r.Errs[i] != nil {
				d += ": " + r.Errs[i].Error()
			}
			diffs = append(diffs, d)
		}
	}
	if len(diffs) > 0 {
		r.t.Errorf("polyfntest: %s", strings.Join(diffs, "; "))
	}
	return r
}

// ExpectAll checks that every record's outcome is want, as Expect does.
func (r *Result) ExpectAll(want Outcome) *Result {
	r.t.Helper()
	w := make([]Outcome, len(r.Errs))
	for i := range w {
		w[i] = want
	}
	return r.Expect(w...)
}
