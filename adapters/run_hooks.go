//go:build !polyfn.describe

package adapters

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/polyfn/polyfn/core"
)

// StopGrace bounds the stop hooks of the HTTP adapters, after their
// requests have drained: Cloud Run and Knative send SIGKILL 10 s after
// SIGTERM by default, and the local and Google adapters drain for 7 s, so
// drain and stop hooks together end within 9 s.
const StopGrace = 2 * time.Second

// start installs the adapter's log handler as slog's default (setLogger),
// so that the start hooks' lines have the platform's shape, then runs app's
// start hooks with the process environment (see core.App.Start), in
// startContext's context: a SIGINT or SIGTERM during start-up cancels it
// where the platform has signals. When they fail it prints the error,
// which names the missing settings or the hook, to standard error and
// exits with status 1.
func start(app *core.App, setLogger func() error) {
	if err := setLogger(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := startContext()
	defer cancel()
	if err := app.Start(ctx, os.LookupEnv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// stop runs app's stop hooks within StopGrace and prints their errors to
// standard error. It reports whether they all succeeded.
func stop(app *core.App) bool {
	ctx, cancel := context.WithTimeout(context.Background(), StopGrace)
	defer cancel()
	if err := app.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false
	}
	return true
}

// serve starts app (see start), serves it with run until run returns, then stops it.
// It exits with status 1 when run fails or a stop hook does.
func serve(app *core.App, setLogger func() error, run func(context.Context, *core.App) error) {
	start(app, setLogger)
	err := run(context.Background(), app)
	ok := stop(app)
	if err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
	}
	if err != nil || !ok {
		os.Exit(1)
	}
}
