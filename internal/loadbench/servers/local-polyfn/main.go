// Command local-polyfn is the load benchmark's local-adapter server: one event
// function at POST /orders that decodes a JSON order (core.Typed) and
// answers a reply event, served by adapters.Run built without a polyfn.*
// tag, on $PORT. Its bare peer is local-bare.
package main

import (
	"context"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() {
	work.CheckAdapter(adapters.Name, "local")
	app := core.NewApp()
	core.Must(app.Event("orders", core.Typed(func(_ context.Context, e core.Event, _ work.Order) (*core.Event, error) {
		reply := core.NewEvent(e.ID()+".reply", "https://example.com/orders", "com.example.order.accepted", "application/json", work.Reply)
		return &reply, nil
	})))
	work.Profile(func() { adapters.Run(app) })
}
