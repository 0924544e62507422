package docstore_test

import (
	"context"
	"fmt"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
)

// A function whose store the deployment names in POLYFN_IDEMPOTENCY_URL:
// here an in-process collection; dynamodb://TABLE?partition_key=id in
// production.
func ExampleOpen() {
	ctx := context.Background()
	store, err := docstore.Open(ctx, "mem://example-orders/id") // os.Getenv(docstore.EnvURL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	runs := 0
	handle := idempotency.New(store)(func(context.Context, core.Event) (*core.Event, error) {
		runs++
		return nil, nil
	})
	e := core.NewEvent("msg-1", "/queues/orders", "com.example.order", "application/json", []byte(`{"amount":42}`))
	for range 3 {
		if _, err := handle(ctx, e); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("runs:", runs)
	// Output: runs: 1
}
