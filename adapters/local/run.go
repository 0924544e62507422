package local

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/polyfn/polyfn/internal/httpserve"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"

	"github.com/polyfn/polyfn/core"
)

// Run serves app until ctx is done or the process gets SIGINT or SIGTERM,
// then shuts down gracefully. It reads the environment once:
//
//   - PORT: the port to listen on (default 8080);
//   - POLYFN_FUNCTION: the event function served at POST / (see WithFunction);
//   - POLYFN_MAX_BODY_BYTES: the request body limit (see WithMaxBodyBytes);
//   - POLYFN_MAX_BATCH_EVENTS: the events of one batch (see
//     WithMaxBatchEvents);
//   - POLYFN_EXPOSE_ERRORS: true puts error text in answers (see
//     WithErrorDetails);
//   - POLYFN_LOG_LEVEL: the lowest level logged (default info),
//     POLYFN_LOG_SAMPLE_RATE: the share of invocations logged from debug
//     up, and POLYFN_LOG_BUFFER: the level from which an invocation's
//     lines below POLYFN_LOG_LEVEL are held back, and written only when
//     it logs an error (a failure);
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
		return fmt.Errorf("local: listen on PORT %s: %w", port, err)
	}
	return Serve(ctx, ln, app, opts...)
}

// Serve is Run on a listener of the caller's: it serves app on ln until ctx
// is done or the process gets SIGINT or SIGTERM, and closes ln. It reads
// the environment as Run does, except PORT.
func Serve(ctx context.Context, ln net.Listener, app *core.App, opts ...Option) error {
	e, err := invoke.FromEnv()
	if err != nil {
		ln.Close()
		return fmt.Errorf("local: %w", err)
	}
	logger := envLogger(e)
	env := []Option{WithLogger(logger)}
	if name := os.Getenv("POLYFN_FUNCTION"); name != "" {
		env = append(env, WithFunction(name))
	}
	l, err := httpserve.FromEnv()
	if err != nil {
		ln.Close()
		return fmt.Errorf("local: %w", err)
	}
	env = append(env, WithMaxBodyBytes(e.MaxBodyBytes), WithMaxBatchEvents(e.MaxBatchEvents), WithErrorDetails(e.ExposeErrors),
		WithReadTimeout(l.ReadTimeout), WithWriteTimeout(l.WriteTimeout), WithIdleTimeout(l.IdleTimeout), WithMaxConns(l.MaxConns))
	opts = append(env, opts...)
	c := newConfig(opts)
	if c.logger == logger {
		slog.SetDefault(logger) // functions' slog.InfoContext(ctx, ...) lines carry the invocation
	}
	h, rt, err := newHandler(app, c)
	if err != nil {
		ln.Close()
		return err
	}
	defer startBus(app, rt, c)() // in-process delivery of what the App publishes without a URL (bus.go)
	limits := c.limits.Or(httpserve.Limits{WriteTimeout: httpserve.WriteTimeoutFor(0, 0, app.Functions())})
	return httpserve.Serve(ctx, ln, h, c.logger, httpserve.Options{
		Limits: limits, ShutdownTimeout: c.shutdownTimeout, Name: "local", Attrs: []any{"functions", app.Names()},
	})
}

// SetDefaultLogger installs, as slog's default, the logger Run installs,
// configured from the environment as Run configures it (POLYFN_LOG_LEVEL,
// POLYFN_LOG_SAMPLE_RATE), so that the lines logged before Run, the App's
// start hooks' among them, are JSON lines too. adapters.Run calls it before
// the start hooks.
func SetDefaultLogger() error {
	e, err := invoke.FromEnv()
	if err != nil {
		return fmt.Errorf("local: %w", err)
	}
	slog.SetDefault(envLogger(e))
	return nil
}

// envLogger returns the logger of e's level and sampling: plain JSON lines
// on standard output.
func envLogger(e invoke.Env) *slog.Logger {
	return slog.New(invoke.NewLogHandler(os.Stdout, slogx.Options{Shape: slogx.Plain, Level: e.LogLevel, DebugSampleRate: e.LogSampleRate, BufferLevel: e.LogBuffer}))
}
