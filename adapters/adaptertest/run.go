package adaptertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Run runs the conformance suite on the adapter mk serves, each check on a
// fresh harness, as subtests of t.
func Run(t *testing.T, mk HarnessMaker) {
	checks := []struct {
		name string
		fn   func(*testing.T, *recorder, Harness)
		opts Options
	}{
		{"Event/Attributes", checkAttributes, Options{}},
		{"Event/Invocation", checkInvocation, Options{}},
		{"Event/Outcomes", checkOutcomes, Options{}},
		{"Event/Deadline", checkDeadline, Options{}},
		{"Records/Queue", checkQueue, Options{}},
		{"Records/StreamOrder", checkStreamOrder, Options{}},
		{"Records/StreamFailure", checkStreamFailure, Options{}},
		{"HTTP/Routes", checkRoutes, Options{}},
		{"HTTP/Panic", checkHTTPPanic, Options{}},
		{"BodyLimit", checkBodyLimit, Options{MaxBodyBytes: 4096}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder()
			h := mk(t, newApp(rec), c.opts)
			c.fn(t, rec, h)
		})
	}
	t.Run("Event/Guard", func(t *testing.T) { checkEventGuard(t, mk) })
}

func deliver(t *testing.T, h Harness, fn string, e core.Event) Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := h.Deliver(ctx, fn, e)
	if err != nil {
		t.Fatalf("deliver %s to %s: %v", e.ID(), fn, err)
	}
	return d
}

func deliverRecords(t *testing.T, h Harness, fn string, trigger core.TriggerKind, recs []Record) BatchDelivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := h.DeliverRecords(ctx, fn, trigger, recs)
	if err != nil {
		t.Fatalf("deliver %d %s records to %s: %v", len(recs), trigger, fn, err)
	}
	return d
}

func mustSee(t *testing.T, rec *recorder, id string) *seen {
	t.Helper()
	s, ok := rec.get(id)
	if !ok {
		t.Fatalf("the function never saw event %s", id)
	}
	return s
}

// checkAttributes: a CloudEvent arrives as sent, its reply reaches the
// platform, and middleware runs in order around the function.
func checkAttributes(t *testing.T, rec *recorder, h Harness) {
	e := newEvent("ev-1", order{Reply: true})
	d := deliver(t, h, fnEvents, e)
	if !d.OK {
		t.Fatalf("delivery failed: %+v", d)
	}
	s := mustSee(t, rec, e.ID())
	got := s.event
	for _, a := range []struct{ name, got, want string }{
		{"id", got.ID(), e.ID()},
		{"source", got.Source(), e.Source()},
		{"type", got.Type(), e.Type()},
		{"subject", got.Subject(), e.Subject()},
		{"time", got.Time().UTC().Format(time.RFC3339Nano), e.Time().UTC().Format(time.RFC3339Nano)},
		{"datacontenttype", got.DataContentType(), e.DataContentType()},
		{"data", string(got.Data()), string(e.Data())},
		{"extension tenant", ext(got, "tenant"), "acme"},
		{"polyfnkind", string(core.EventKindOf(got)), string(core.KindBusEvent)},
	} {
		if a.got != a.want {
			t.Errorf("%s arrived as %q, want %q", a.name, a.got, a.want)
		}
	}
	if want := "outer> inner> fn <inner <outer"; strings.Join(s.trace, " ") != want {
		t.Errorf("middleware order %q, want %q", strings.Join(s.trace, " "), want)
	}
	if !h.Features().Replies {
		return
	}
	if d.Reply == nil {
		t.Fatal("the reply event did not reach the platform")
	}
	if d.Reply.ID() != "re-ev-1" || d.Reply.Type() != "com.example.adaptertest.reply" || string(d.Reply.Data()) != `{"ok":true}` {
		t.Errorf("reply arrived as id %q type %q data %s", d.Reply.ID(), d.Reply.Type(), d.Reply.Data())
	}
}

func ext(e core.Event, name string) string {
	s, _ := core.ExtensionString(e, name)
	return s
}

// checkInvocation: the invocation metadata, and cold start on the first
// invocation of a fresh process only.
func checkInvocation(t *testing.T, rec *recorder, h Harness) {
	for _, id := range []string{"inv-1", "inv-2"} {
		if d := deliver(t, h, fnEvents, newEvent(id, order{})); !d.OK {
			t.Fatalf("%s: delivery failed", id)
		}
	}
	first, second := mustSee(t, rec, "inv-1").inv, mustSee(t, rec, "inv-2").inv
	want := h.Features().Provider
	for _, inv := range []core.Invocation{first, second} {
		if inv.Function != fnEvents || inv.Provider != want || inv.ID == "" || inv.Trigger == "" {
			t.Errorf("invocation %+v: want function %q, provider %q, an id and a trigger", inv, fnEvents, want)
		}
	}
	if !first.ColdStart || second.ColdStart {
		t.Errorf("cold start: first %v, second %v; want true, false", first.ColdStart, second.ColdStart)
	}
	if first.ID == second.ID {
		t.Errorf("two invocations share the id %q", first.ID)
	}
}

// checkOutcomes: every failure fails the delivery; the platform is told
// which are permanent where it can be; a panic is an error to middleware;
// the adapter serves on after a panic.
func checkOutcomes(t *testing.T, rec *recorder, h Harness) {
	tells := h.Features().TellsPermanent
	for _, tt := range []struct {
		fail      string
		permanent bool
	}{
		{"permanent", true},
		{"retryable", false},
		{"panic", false},
	} {
		id := "fail-" + tt.fail
		d := deliver(t, h, fnEvents, newEvent(id, order{Fail: tt.fail}))
		if d.OK {
			t.Errorf("%s failure: the platform counts the event as handled", tt.fail)
			continue
		}
		if tells && d.Permanent != tt.permanent {
			t.Errorf("%s failure: the platform was told permanent=%v", tt.fail, d.Permanent)
		}
	}
	var p *core.PanicError
	if s := mustSee(t, rec, "fail-panic"); !errors.As(s.innerErr, &p) || p.Value != "asked to panic" {
		t.Errorf("middleware saw the panic as %v, want a *core.PanicError", s.innerErr)
	}
	if s := mustSee(t, rec, "fail-permanent"); !core.IsPermanent(s.innerErr) {
		t.Errorf("middleware saw %v, want a permanent error", s.innerErr)
	}
	if d := deliver(t, h, fnEvents, newEvent("after-panic", order{})); !d.OK {
		t.Error("the adapter stopped serving after a panic")
	}
}

// checkDeadline: core.WithTimeout sets the invocation's deadline, and a
// function that outlives it fails.
func checkDeadline(t *testing.T, rec *recorder, h Harness) {
	start := time.Now()
	if d := deliver(t, h, fnSlow, newEvent("quick", order{})); !d.OK {
		t.Fatal("delivery failed")
	}
	s := mustSee(t, rec, "quick")
	dl := s.inv.Deadline
	if dl.IsZero() || dl.Before(start) || dl.After(time.Now().Add(slowTimeout)) {
		t.Errorf("invocation deadline %v: want within %s of the call", dl, slowTimeout)
	}
	if s.ctxDeadline.IsZero() || s.ctxDeadline.After(dl) {
		t.Errorf("context deadline %v, invocation deadline %v: want a context deadline no later", s.ctxDeadline, dl)
	}
	start = time.Now()
	d := deliver(t, h, fnSlow, newEvent("overdue", order{Wait: true}))
	if d.OK {
		t.Error("a function past its deadline: the platform counts the event as handled")
	}
	if took := time.Since(start); took > 10*slowTimeout {
		t.Errorf("the overdue invocation took %s; its timeout is %s", took, slowTimeout)
	}
}

// expected returns the records a platform with semantics sem redelivers
// when the records at failed fail.
func expected(sem Semantics, recs []Record, failed []int) []int {
	if len(failed) == 0 {
		return nil
	}
	out := []int{}
	switch sem {
	case WholeBatch:
		for i := range recs {
			out = append(out, i)
		}
	case FromFirstFailure:
		for i := slices.Min(failed); i < len(recs); i++ {
			out = append(out, i)
		}
	default:
		blocked := map[string]bool{}
		for i, r := range recs {
			if slices.Contains(failed, i) || r.Key != "" && blocked[r.Key] {
				out = append(out, i)
				if r.Key != "" {
					blocked[r.Key] = true
				}
			}
		}
	}
	return out
}

// checkQueue: records become events with the platform's message ids and a
// portable kind; each failed one is redelivered as the platform requires.
func checkQueue(t *testing.T, rec *recorder, h Harness) {
	fails := map[int]string{1: "permanent", 3: "retryable", 4: "panic"}
	recs := records(6, func(int) string { return "" }, func(i int) order { return order{Fail: fails[i]} })
	d := deliverRecords(t, h, fnEvents, core.TriggerQueue, recs)
	want := expected(h.Semantics(core.TriggerQueue), recs, []int{1, 3, 4})
	if !slices.Equal(d.Redelivered, want) {
		t.Errorf("redelivered %v, want %v", d.Redelivered, want)
	}
	for i, r := range recs {
		s, ok := rec.get(r.ID)
		if !ok {
			t.Errorf("record %d (%s) never ran", i, r.ID)
			continue
		}
		if s.order.Seq != i || s.event.Source() == "" || s.event.Type() == "" || core.EventKindOf(s.event) == "" {
			t.Errorf("record %d arrived as id %s seq %d source %q type %q kind %q", i, s.event.ID(), s.order.Seq, s.event.Source(), s.event.Type(), core.EventKindOf(s.event))
		}
		if s.inv.Trigger == "" || s.inv.Function != fnEvents {
			t.Errorf("record %d: invocation %+v", i, s.inv)
		}
	}
}

// checkStreamOrder: records that share an ordering key run in order, even
// with batch concurrency, and each runs once.
func checkStreamOrder(t *testing.T, rec *recorder, h Harness) {
	keys := []string{"k0", "k1", "k2", "k3"}
	recs := records(24, func(i int) string { return keys[i%len(keys)] }, func(int) order { return order{} })
	if d := deliverRecords(t, h, fnStream, core.TriggerStream, recs); len(d.Redelivered) > 0 {
		t.Fatalf("redelivered %v after no failure", d.Redelivered)
	}
	last := map[string]int{}
	count := map[string]int{}
	for _, s := range rec.all() {
		count[s.event.ID()]++
		k := recs[s.order.Seq].Key
		if prev, ok := last[k]; ok && s.order.Seq < prev {
			t.Errorf("key %s: record %d ran after record %d", k, s.order.Seq, prev)
		}
		last[k] = s.order.Seq
	}
	for _, r := range recs {
		if count[r.ID] != 1 {
			t.Errorf("record %s ran %d times", r.ID, count[r.ID])
		}
	}
}

// checkStreamFailure: after a failure, no later record of the same key
// runs, and the platform redelivers what it must.
func checkStreamFailure(t *testing.T, rec *recorder, h Harness) {
	keys := []string{"a", "b", "a", "b", "a", "c"}
	recs := records(len(keys), func(i int) string { return keys[i] }, func(i int) order {
		if i == 2 {
			return order{Fail: "retryable"}
		}
		return order{}
	})
	d := deliverRecords(t, h, fnStream, core.TriggerStream, recs)
	want := expected(h.Semantics(core.TriggerStream), recs, []int{2})
	if !slices.Equal(d.Redelivered, want) {
		t.Errorf("redelivered %v, want %v", d.Redelivered, want)
	}
	if _, ran := rec.get(recs[4].ID); ran {
		t.Error("record 4 ran although record 2, of the same key, failed before it")
	}
}
