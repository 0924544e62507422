package driver_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func ExampleRunBatch() {
	var batch []core.Event
	for i, group := range []string{"g1", "g2", "g1", "g1"} {
		e := core.NewEvent(fmt.Sprint("m", i), "/shop", "com.example.order.placed", "application/json", []byte(`{}`))
		e.SetExtension(core.PartitionKeyExtension, group)
		batch = append(batch, e)
	}
	fn := func(ctx context.Context, e core.Event) (*core.Event, error) {
		if e.ID() == "m2" {
			return nil, errors.New("payment service down")
		}
		return nil, nil
	}
	// A FIFO source: after a failure, later records of the same group are not run.
	res := driver.RunBatch(context.Background(), fn, batch, driver.BatchOptions{StopOnFailure: true})
	for _, i := range res.Failed() {
		fmt.Println(batch[i].ID(), res.Records[i].Err)
	}
	// Output:
	// m2 payment service down
	// m3 not run: an earlier record with the same ordering key failed
}
