package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/httpserve"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/providers/azure"
)

// Run serves app as a custom handler until ctx is done or the process gets
// SIGINT or SIGTERM, then shuts down gracefully. It reads the environment
// once:
//
//   - FUNCTIONS_CUSTOMHANDLER_PORT (or the legacy FUNCTIONS_HTTPWORKER_PORT):
//     the port to listen on, on 127.0.0.1, where the host calls;
//   - FUNCTIONS_APP_ROOT_PATH (default: the working directory): the
//     function app folder, whose host.json gives functionTimeout and
//     enableForwardingHttpRequest (or enableProxyingHttpRequest), and whose
//     {name}/function.json files give the trigger bindings (see
//     WithFunctionConfigs);
//   - POLYFN_MAX_BODY_BYTES: the request body limit (see WithMaxBodyBytes);
//   - POLYFN_MAX_BATCH_EVENTS: the events of one CloudEvents batch (see
//     WithMaxBatchEvents);
//   - POLYFN_EXPOSE_ERRORS: true puts error text in answers (see
//     WithErrorDetails);
//   - POLYFN_LOG_LEVEL and POLYFN_LOG_SAMPLE_RATE: the lowest level
//     logged, and the share of invocations logged from debug up (see
//     WithLogLevel and WithLogSampleRate); POLYFN_LOG_BUFFER: the level
//     from which slog's default logger holds an invocation's lines below
//     the log level back, and writes them to standard output only when
//     the invocation logs an error (a failure);
//   - POLYFN_READ_TIMEOUT, POLYFN_WRITE_TIMEOUT, POLYFN_IDLE_TIMEOUT and
//     POLYFN_MAX_CONNS: the server's bounds (see WithReadTimeout,
//     WithWriteTimeout, WithIdleTimeout and WithMaxConns).
//
// The function app's files are written at build time, by `polyfn build
// --provider azure` or package providers/azure/funcapp, not by the handler.
//
// Run installs a log handler as slog's default (see NewLogHandler), so that
// slog.InfoContext(ctx, ...) in a function reaches the invocation's Logs.
// Options given to Run override what it reads.
func Run(ctx context.Context, app *core.App, opts ...Option) error {
	port := os.Getenv("FUNCTIONS_CUSTOMHANDLER_PORT")
	if port == "" {
		port = os.Getenv("FUNCTIONS_HTTPWORKER_PORT")
	}
	if port == "" {
		return errors.New("azure: FUNCTIONS_CUSTOMHANDLER_PORT is not set: run the handler under the Functions host (func start), or build without -tags polyfn.azure to run locally")
	}
	root := os.Getenv("FUNCTIONS_APP_ROOT_PATH")
	if root == "" {
		root = "."
	}
	e, err := setDefaultLogger()
	if err != nil {
		return err
	}
	env, err := appFolderOptions(root, app)
	if err != nil {
		return err
	}
	env = append(env, WithLogLevel(e.LogLevel), WithLogSampleRate(e.LogSampleRate))
	l, err := httpserve.FromEnv()
	if err != nil {
		return fmt.Errorf("azure: %w", err)
	}
	env = append(env, WithMaxBodyBytes(e.MaxBodyBytes), WithMaxBatchEvents(e.MaxBatchEvents), WithErrorDetails(e.ExposeErrors),
		WithReadTimeout(l.ReadTimeout), WithWriteTimeout(l.WriteTimeout), WithIdleTimeout(l.IdleTimeout), WithMaxConns(l.MaxConns))
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return fmt.Errorf("azure: listen on FUNCTIONS_CUSTOMHANDLER_PORT %s: %w", port, err)
	}
	return Serve(ctx, ln, app, append(env, opts...)...)
}

// SetDefaultLogger installs, as slog's default, the log handler Run
// installs (see NewLogHandler), configured from the environment as Run
// configures it (POLYFN_LOG_LEVEL, POLYFN_LOG_SAMPLE_RATE), so that the
// lines logged before Run, the App's start hooks' among them, are JSON
// lines too. adapters.Run calls it before the start hooks.
func SetDefaultLogger() error {
	_, err := setDefaultLogger()
	return err
}

// setDefaultLogger is SetDefaultLogger, and returns the environment it read.
func setDefaultLogger() (invoke.Env, error) {
	e, err := invoke.FromEnv()
	if err != nil {
		return e, fmt.Errorf("azure: %w", err)
	}
	slog.SetDefault(slog.New(newDefaultLogHandler(os.Stdout, os.Stderr, e.LogLevel, e.LogSampleRate, e.LogBuffer)))
	return e, nil
}

// appFolderOptions reads host.json and the function.json files of the
// function app folder, when they exist.
func appFolderOptions(root string, app *core.App) ([]Option, error) {
	var opts []Option
	if b, err := os.ReadFile(filepath.Join(root, "host.json")); err == nil {
		var h struct {
			FunctionTimeout string
			CustomHandler   struct {
				EnableForwardingHTTPRequest *bool `json:"enableForwardingHttpRequest"`
				EnableProxyingHTTPRequest   *bool `json:"enableProxyingHttpRequest"`
			}
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return nil, fmt.Errorf("azure: %s: %w", filepath.Join(root, "host.json"), err)
		}
		d, err := azure.ParseTimeSpan(h.FunctionTimeout)
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithFunctionTimeout(d))
		// Proxying (newer hosts) reaches the handler as forwarding does: raw
		// requests at their routes, only for HTTP-only functions.
		fwd, proxy := h.CustomHandler.EnableForwardingHTTPRequest, h.CustomHandler.EnableProxyingHTTPRequest
		switch {
		case proxy != nil && *proxy:
			opts = append(opts, WithForwarding(true))
		case fwd != nil:
			opts = append(opts, WithForwarding(*fwd))
		}
	}
	cfgs := map[string]azure.FunctionConfig{}
	for _, name := range app.Names() {
		b, err := os.ReadFile(filepath.Join(root, name, "function.json"))
		if err != nil {
			continue
		}
		var c azure.FunctionConfig
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("azure: %s/function.json: %w", name, err)
		}
		cfgs[name] = c
	}
	if len(cfgs) > 0 {
		opts = append(opts, WithFunctionConfigs(cfgs))
	}
	return opts, nil
}

// Serve is Run on a listener of the caller's: it serves app on ln until ctx
// is done or the process gets SIGINT or SIGTERM, and closes ln. It reads no
// environment variable and does not change slog's default.
func Serve(ctx context.Context, ln net.Listener, app *core.App, opts ...Option) error {
	opts = append([]Option{WithOutput(os.Stdout, os.Stderr)}, opts...)
	c := newConfig(opts)
	h, err := Handler(app, opts...)
	if err != nil {
		ln.Close()
		return err
	}
	log := slog.New(newLogHandler(c.stdout, c.stderr, c.logLevel, c.logSampleRate))
	return httpserve.Serve(ctx, ln, h, log, httpserve.Options{
		Limits: c.serverLimits(app), ShutdownTimeout: c.shutdownTimeout, Name: "azure", Attrs: []any{"functions", app.Names()},
	})
}

// The Azure defaults of the server's limits (see docs/limits.md).
const (
	// defaultFunctionTimeout is assumed when host.json states none: the
	// longest default of any plan (Premium, Dedicated, Flex).
	defaultFunctionTimeout = 30 * time.Minute
	// hostGrace is what the host adds to functionTimeout to time out its
	// own call to the handler.
	hostGrace = time.Minute
	// frontEndTimeout is how long Azure's front end lets an HTTP request
	// run: the host buffers an envelope's request before it calls the
	// handler, and a proxied request's body cannot stream for longer.
	frontEndTimeout = 230 * time.Second
)

// serverLimits returns the server's limits: c's, else the Azure defaults.
func (c config) serverLimits(app *core.App) httpserve.Limits {
	timeout := c.functionTimeout
	if timeout <= 0 {
		timeout = defaultFunctionTimeout
	}
	return c.limits.Or(httpserve.Limits{
		ReadHeaderTimeout: 30 * time.Second,
		ReadTimeout:       frontEndTimeout,
		WriteTimeout:      httpserve.WriteTimeoutFor(timeout, hostGrace, app.Functions()),
		IdleTimeout:       3 * time.Minute,
	})
}
