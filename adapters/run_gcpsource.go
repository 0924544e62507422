//go:build polyfn.gcpsource

package adapters

import (
	"fmt"
	"os"

	"github.com/polyfn/polyfn/adapters/gcp/gcf"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "gcp"

// Run registers app's functions with functions-framework-go and returns: the
// Cloud Functions source deploy mode, where the Go buildpack's generated
// main serves them after every init has run (polyfn build --provider gcp
// writes such a bundle). On an error it prints it and exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	if err := gcf.Register(app); err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
		os.Exit(1)
	}
}
