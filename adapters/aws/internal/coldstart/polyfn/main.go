// Command polyfn is the polyfn side of the cold-start comparison: the same
// SQS handler as ../native, as a polyfn event function. Build it with
// -tags polyfn.aws,lambda.norpc.
package main

import (
	"context"
	"errors"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

type order struct {
	ID    string  `json:"id"`
	Total float64 `json:"total"`
}

func handle(ctx context.Context, e core.Event) (*core.Event, error) {
	o, err := core.Decode[order](e)
	if err != nil {
		return nil, err
	}
	if o.ID == "" {
		return nil, errors.New("order without id")
	}
	return nil, nil
}

func main() {
	app := core.NewApp()
	core.Must(app.Event("orders", handle, core.OnQueue("orders")))
	adapters.Run(app)
}
