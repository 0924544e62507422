// Command gcp-polyfn is the load benchmark's Google container-path server: one
// event function, the FUNCTION_TARGET, that decodes a JSON order from the
// Pub/Sub message of an Eventarc messagePublished event with core.Decode and
// answers no reply, served by adapters.Run built with -tags polyfn.gcp on
// $PORT. Its bare peer is gcp-bare.
package main

import (
	"context"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() {
	work.CheckAdapter(adapters.Name, "gcp")
	app := core.NewApp()
	core.Must(app.Event("orders", func(_ context.Context, e core.Event) (*core.Event, error) {
		_, err := core.Decode[work.Order](e)
		return nil, err
	}))
	work.Profile(func() { adapters.Run(app) })
}
