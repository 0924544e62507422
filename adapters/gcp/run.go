package gcp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/httpserve"
	"github.com/polyfn/polyfn/internal/invoke"
)

// Run serves app until ctx is done or the process gets SIGINT or SIGTERM,
// then stops accepting requests and lets those in flight finish (see
// WithShutdownTimeout). It reads the environment once:
//
//   - PORT: the port to listen on (default 8080);
//   - FUNCTION_TARGET: the function served at "/" (see WithTarget); a name
//     that is no function of app is an error, as with functions-framework-go;
//   - CLOUD_RUN_TIMEOUT_SECONDS: the invocation timeout (see WithTimeout);
//   - POLYFN_LOG_LEVEL: the lowest level logged: trace, debug, info
//     (default), warn, error or fatal; POLYFN_LOG_SAMPLE_RATE: the share
//     of invocations logged from debug up; POLYFN_LOG_BUFFER: the level
//     from which an invocation's lines below POLYFN_LOG_LEVEL are held
//     back, and written only when it logs an error (a failure);
//   - GOOGLE_CLOUD_PROJECT: the project log lines name traces in, else
//     the metadata server's on Cloud Run (see NewLogHandler);
//   - POLYFN_MAX_BODY_BYTES: the request body limit (see WithMaxBodyBytes);
//   - POLYFN_MAX_BATCH_EVENTS: the events of one CloudEvents batch (see
//     WithMaxBatchEvents);
//   - POLYFN_EXPOSE_ERRORS: true puts error text in answers (see
//     WithErrorDetails);
//   - POLYFN_READ_TIMEOUT, POLYFN_WRITE_TIMEOUT, POLYFN_IDLE_TIMEOUT and
//     POLYFN_MAX_CONNS: the server's bounds (see WithReadTimeout,
//     WithWriteTimeout, WithIdleTimeout and WithMaxConns).
//
// Options given to Run override the environment.
func Run(ctx context.Context, app *core.App, opts ...Option) error {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("gcp: listen on PORT %s: %w", port, err)
	}
	return Serve(ctx, ln, app, opts...)
}

// SetDefaultLogger installs, as slog's default, the logger Run installs
// (see NewEnvLogHandler), configured from the environment as Run configures
// it, so that the lines logged before Run, the App's start hooks' among
// them, are Cloud Logging's JSON lines too. adapters.Run calls it before
// the start hooks, on the container and the source-deploy path.
func SetDefaultLogger() error {
	e, err := invoke.FromEnv()
	if err != nil {
		return fmt.Errorf("gcp: %w", err)
	}
	slog.SetDefault(slog.New(NewEnvLogHandler(os.Stdout, e)))
	return nil
}

// envOptions turns the environment into options.
func envOptions() ([]Option, error) {
	opts, _, err := envOptionsLogger()
	return opts, err
}

// envOptionsLogger is envOptions, and returns the logger it chose.
func envOptionsLogger() ([]Option, *slog.Logger, error) {
	e, err := invoke.FromEnv()
	if err != nil {
		return nil, nil, fmt.Errorf("gcp: %w", err)
	}
	logger := slog.New(NewEnvLogHandler(os.Stdout, e))
	opts := []Option{WithLogger(logger)}
	if t := os.Getenv("FUNCTION_TARGET"); t != "" {
		opts = append(opts, WithTarget(t))
	}
	if v := os.Getenv("CLOUD_RUN_TIMEOUT_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, nil, fmt.Errorf("gcp: CLOUD_RUN_TIMEOUT_SECONDS=%q is not a whole number of seconds", v)
		}
		opts = append(opts, WithTimeout(time.Duration(n)*time.Second))
	}
	l, err := httpserve.FromEnv()
	if err != nil {
		return nil, nil, fmt.Errorf("gcp: %w", err)
	}
	return append(opts, WithMaxBodyBytes(e.MaxBodyBytes), WithMaxBatchEvents(e.MaxBatchEvents), WithErrorDetails(e.ExposeErrors),
		WithReadTimeout(l.ReadTimeout), WithWriteTimeout(l.WriteTimeout), WithIdleTimeout(l.IdleTimeout), WithMaxConns(l.MaxConns)), logger, nil
}

// Serve is Run on a listener of the caller's: it serves app on ln until ctx
// is done or the process gets SIGINT or SIGTERM, and closes ln. It reads the
// environment as Run does, except PORT.
func Serve(ctx context.Context, ln net.Listener, app *core.App, opts ...Option) error {
	env, logger, err := envOptionsLogger()
	if err != nil {
		ln.Close()
		return err
	}
	opts = append(env, opts...)
	c := newConfig(opts)
	if c.logger == logger {
		slog.SetDefault(logger) // functions' slog.InfoContext(ctx, ...) lines carry the invocation
	}
	h, err := Handler(app, opts...)
	if err != nil {
		ln.Close()
		return err
	}
	served := app.Names()
	if c.target != "" {
		served = []string{c.target}
	}
	return httpserve.Serve(ctx, ln, h, c.logger, httpserve.Options{
		Limits: c.serverLimits(app), ShutdownTimeout: c.shutdownTimeout, Name: "gcp", Attrs: []any{"functions", served, "target", c.target},
	})
}

// maxRequestTimeout is the request timeout assumed when none is set: the
// longest Cloud Run allows, so that no answer is cut before the platform
// cuts it.
const maxRequestTimeout = time.Hour

// serverLimits returns the server's limits: c's, else the Google defaults.
func (c config) serverLimits(app *core.App) httpserve.Limits {
	timeout := c.timeout
	if timeout <= 0 {
		timeout = maxRequestTimeout
	}
	return c.limits.Or(httpserve.Limits{
		WriteTimeout: httpserve.WriteTimeoutFor(timeout, 0, app.Functions()),
		IdleTimeout:  620 * time.Second,
	})
}
