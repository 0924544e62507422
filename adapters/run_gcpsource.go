//go:build polyfn.gcpsource

package adapters

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/adapters/gcp/gcf"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "gcp"

// Run installs the Google log handler as slog's default (see
// gcp.SetDefaultLogger), runs app's start hooks, registers its functions with
// functions-framework-go and returns: the Cloud Functions source deploy
// mode, where the Go buildpack's generated main serves them after every
// init has run (polyfn build --provider gcp writes such a bundle).
// functions-framework-go does not drain on SIGTERM; Run catches SIGTERM to
// run the App's stop hooks within StopGrace, then exits. On an error it
// prints it and exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	start(app, gcp.SetDefaultLogger)
	if err := gcf.Register(app); err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
		os.Exit(1)
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-term
		code := 0
		if !stop(app) {
			code = 1
		}
		os.Exit(code)
	}()
}
