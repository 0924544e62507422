// Command azure-polyfn is the load benchmark's Azure custom handler: an App with
// one Queue Storage event function ("queue", binding inMsg) that does
// nothing with the message, served by adapters.Run built with
// -tags polyfn.azure on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT. Its bare
// peer is azure-bare.
package main

import (
	"context"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() {
	work.CheckAdapter(adapters.Name, "azure")
	app := core.NewApp()
	core.Must(app.Event("queue", func(context.Context, core.Event) (*core.Event, error) { return nil, nil },
		core.OnQueue("in").With("azure", "name", "inMsg")))
	work.Profile(func() { adapters.Run(app) })
}
