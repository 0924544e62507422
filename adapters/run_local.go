//go:build !polyfn.aws && !polyfn.azure && !polyfn.gcp && !polyfn.gcpsource && !polyfn.describe

package adapters

import (
	"context"
	"fmt"
	"os"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "local"

// Run serves app with the local adapter (see package local) until SIGINT or
// SIGTERM. On a start-up error it prints the error to standard error and
// exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	if err := local.Run(context.Background(), app); err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
		os.Exit(1)
	}
}
