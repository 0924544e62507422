package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

// An order is charged once, however often the queue delivers it: the
// duplicate gets the first run's reply, and a redelivery that arrives while
// the first still runs fails with a retryable error.
func ExampleNew() {
	charges := 0
	app := core.NewApp()
	app.Use(idempotency.New(idempotency.NewMemoryStore(), idempotency.WithTTL(24*time.Hour)))
	core.Must(app.Event("charge", func(ctx context.Context, e core.Event) (*core.Event, error) {
		charges++
		r := core.NewEvent("receipt-"+e.ID(), "/payments", "com.example.charged", "text/plain", []byte("receipt 1"))
		return &r, nil
	}, core.OnQueue("orders")))

	f, _ := app.Function("charge")
	handle := f.EventFunc()
	order := core.NewEvent("msg-1", "/queues/orders", "com.example.order", "application/json", []byte(`{"amount":42}`))
	for range 2 {
		reply, err := handle(context.Background(), order)
		fmt.Println(string(reply.Data()), err)
	}
	fmt.Println("charges:", charges)

	other := core.NewEvent("msg-1", "/queues/orders", "com.example.order", "application/json", []byte(`{"amount":7}`))
	_, err := handle(context.Background(), other)
	fmt.Println(errors.Is(err, idempotency.ErrPayloadMismatch), core.ErrorKindOf(err))
	// Output:
	// receipt 1 <nil>
	// receipt 1 <nil>
	// charges: 1
	// true permanent
}
