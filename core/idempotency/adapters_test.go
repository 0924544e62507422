package idempotency_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
	"github.com/polyfn/polyfn/adapters/local/localtest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

var harnesses = []struct {
	name string
	mk   adaptertest.HarnessMaker
}{
	{"local", localtest.NewHarness},
	{"aws", awstest.NewHarness},
	{"azure", azuretest.NewHarness},
	{"gcp", gcptest.NewHarness},
}

// orders is an App whose function "orders", behind the idempotency
// middleware, counts its runs per event id and fails an event whose data
// says {"fail":true} on its first run only.
type orders struct {
	mu   sync.Mutex
	runs map[string]int
}

func (o *orders) handle(_ context.Context, e core.Event) (*core.Event, error) {
	o.mu.Lock()
	o.runs[e.ID()]++
	n := o.runs[e.ID()]
	o.mu.Unlock()
	in, err := core.Decode[struct{ Fail bool }](e)
	if err != nil {
		return nil, core.Permanent(err)
	}
	if in.Fail && n == 1 {
		return nil, errFunction
	}
	r := core.NewEvent("reply-"+e.ID(), "/orders", "com.example.order.done", "application/json", e.Data())
	return &r, nil
}

func (o *orders) count(id string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.runs[id]
}

func newOrders(t *testing.T) (*core.App, *orders) {
	o := &orders{runs: map[string]int{}}
	app := core.NewApp()
	app.Use(idempotency.New(idempotency.NewMemoryStore()))
	if err := app.Event("orders", o.handle, core.OnQueue("orders")); err != nil {
		t.Fatal(err)
	}
	return app, o
}

// TestBatchPerRecord delivers a queue batch with a failing record, then the
// whole batch again (as a queue redelivers after a lost acknowledgement):
// on every adapter, each record runs once per key, the failed one runs
// again, and nothing is reported failed the second time.
func TestBatchPerRecord(t *testing.T) {
	for _, h := range harnesses {
		t.Run(h.name, func(t *testing.T) {
			app, o := newOrders(t)
			hr := h.mk(t, app, adaptertest.Options{})
			recs := []adaptertest.Record{
				{ID: "m-1", Data: []byte(`{"n":1}`)},
				{ID: "m-2", Data: []byte(`{"n":2,"fail":true}`)},
				{ID: "m-3", Data: []byte(`{"n":3}`)},
			}
			ctx := context.Background()
			d, err := hr.DeliverRecords(ctx, "orders", core.TriggerQueue, recs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(d.Redelivered, 1) {
				t.Fatalf("first delivery: redelivered %v, want the failed record 1 among them", d.Redelivered)
			}
			if d, err = hr.DeliverRecords(ctx, "orders", core.TriggerQueue, recs); err != nil {
				t.Fatal(err)
			}
			if len(d.Redelivered) != 0 {
				t.Errorf("second delivery: redelivered %v, want none", d.Redelivered)
			}
			for id, want := range map[string]int{"m-1": 1, "m-2": 2, "m-3": 1} {
				if got := o.count(id); got != want {
					t.Errorf("%s ran %d times, want %d", id, got, want)
				}
			}
		})
	}
}

// TestDuplicateReply delivers one event twice: it runs once, and where the
// platform carries replies, the duplicate gets the same reply.
func TestDuplicateReply(t *testing.T) {
	for _, h := range harnesses {
		t.Run(h.name, func(t *testing.T) {
			app, o := newOrders(t)
			hr := h.mk(t, app, adaptertest.Options{})
			e := core.NewEvent("e-1", "/shop/orders", "com.example.order.placed", "application/json", []byte(`{"n":1}`))
			var replies []string
			for range 2 {
				d, err := hr.Deliver(context.Background(), "orders", e)
				if err != nil {
					t.Fatal(err)
				}
				if !d.OK {
					t.Fatalf("delivery failed: %+v", d)
				}
				if d.Reply != nil {
					replies = append(replies, d.Reply.ID()+" "+string(d.Reply.Data()))
				}
			}
			if n := o.count("e-1"); n != 1 {
				t.Errorf("the function ran %d times, want 1", n)
			}
			if hr.Features().Replies && (len(replies) != 2 || replies[0] != replies[1]) {
				t.Errorf("replies %q, want the same reply twice", replies)
			}
		})
	}
}

// TestEnvelopeRedelivery checks that the payload hash covers the message a
// transport envelope carries, not the envelope: Pub/Sub push adds a
// deliveryAttempt that changes between deliveries of one message.
func TestEnvelopeRedelivery(t *testing.T) {
	envelope := func(attempt int, data string) core.Event {
		body := fmt.Sprintf(`{"message":{"data":%q,"messageId":"p-1","publishTime":"2026-11-27T12:00:00Z"},"subscription":"projects/p/subscriptions/s","deliveryAttempt":%d}`,
			base64.StdEncoding.EncodeToString([]byte(data)), attempt)
		return core.NewEvent("p-1", "//pubsub.googleapis.com/projects/p/topics/t", "google.cloud.pubsub.topic.v1.messagePublished", "application/json", []byte(body))
	}
	tests := []struct {
		name    string
		second  core.Event
		wantErr error
	}{
		{"the same message delivered again is a duplicate", envelope(2, `{"n":1}`), nil},
		{"another message under the same id is refused", envelope(2, `{"n":2}`), idempotency.ErrPayloadMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &counter{do: noReply}
			mw := idempotency.New(idempotency.NewMemoryStore())(fn.handle)
			if _, err := mw(context.Background(), envelope(1, `{"n":1}`)); err != nil {
				t.Fatal(err)
			}
			_, err := mw(context.Background(), tt.second)
			checkErr(t, 1, err, tt.wantErr, tt.wantErr != nil)
			if n := fn.runs.Load(); n != 1 {
				t.Errorf("the function ran %d times, want 1", n)
			}
		})
	}
}
