package idempotencytest

import (
	"context"
	"strconv"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

// BenchmarkMiddleware measures the per-event cost of the middleware
// (idempotency.New(store, opts...)) around a function that replies with
// the event's data: "new-event" runs a fresh id each time (claim, run,
// complete), "duplicate" a completed one (answered from the record). With
// a nil store it measures the bare function under "new-event", for a
// baseline.
func BenchmarkMiddleware(b *testing.B, store idempotency.Store, opts ...idempotency.Option) {
	fn := func(_ context.Context, e core.Event) (*core.Event, error) {
		r := core.NewEvent("reply", "/bench", "com.example.reply", "application/json", e.Data())
		return &r, nil
	}
	data := []byte(`{"order":"A7","amount":42}`)
	h := core.EventFunc(fn)
	if store != nil {
		h = idempotency.New(store, opts...)(fn)
	}
	ctx := context.Background()
	dup := randomString(b) + "-dup"
	if _, err := h(ctx, core.NewEvent(dup, "/bench", "com.example.order", "application/json", data)); err != nil {
		b.Fatal(err)
	}
	modes := []string{"new-event", "duplicate"}
	if store == nil {
		modes = modes[:1]
	}
	for _, mode := range modes {
		b.Run(mode, func(b *testing.B) {
			// Fresh ids on every call: -count calls this function again.
			prefix := randomString(b) + "-"
			ids := make([]string, b.N)
			for i := range ids {
				ids[i] = dup
				if mode == "new-event" {
					ids[i] = prefix + strconv.Itoa(i)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := h(ctx, core.NewEvent(ids[i], "/bench", "com.example.order", "application/json", data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
