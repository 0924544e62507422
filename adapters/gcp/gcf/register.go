package gcf

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// Register registers every function of app with functions-framework-go's
// declarative registry, under its name, as an HTTP function
// (functions.HTTP) served by polyfn's own Google handler:
// gcp.Handler(app, gcp.WithTarget(name)), the handler of the container
// path. The Go buildpack's generated main then serves the one function
// FUNCTION_TARGET (set from GOOGLE_FUNCTION_TARGET, gcloud's --entry-point)
// names, at "/".
//
// Event functions are HTTP functions to functions-framework-go too: polyfn
// reads the CloudEvent (binary or structured mode), legacy event or Pub/Sub
// push envelope itself, and functions-framework-go's CloudEvent handler
// (the CloudEvents SDK's receive handler, which can leave requests
// unanswered under concurrent load) is never used. So both Google paths
// decode, run and answer alike: the same events, invocation metadata,
// deadline, failure log lines, statuses and reply events (see package gcp).
//
// Register reads POLYFN_LOG_LEVEL, POLYFN_LOG_SAMPLE_RATE,
// GOOGLE_CLOUD_PROJECT (see gcp.ProjectID), POLYFN_MAX_BODY_BYTES and
// POLYFN_EXPOSE_ERRORS once, and installs its logger (gcp.NewEnvLogHandler)
// as slog's default; options override them. Like the other
// adapter packages it leaves POLYFN_TRACE_FILE to adapters.Run (built with
// -tags polyfn.gcpsource, Run registers through Register).
// functions-framework-go applies CLOUD_RUN_TIMEOUT_SECONDS to each
// request's context itself. Register the App once per process, after all
// of its middleware: functions-framework-go exits the process
// (log.Fatalf) when a name is registered twice.
func Register(app *core.App, opts ...gcp.Option) error {
	return RegisterWith(declarative{}, app, opts...)
}

// A Registry receives the functions RegisterWith hands over, by name.
// Register uses functions-framework-go's declarative registry; tests pass
// their own, to serve several Apps in one process.
type Registry interface {
	HTTP(name string, fn func(http.ResponseWriter, *http.Request))
}

// declarative is functions-framework-go's process-wide registry.
type declarative struct{}

func (declarative) HTTP(name string, fn func(http.ResponseWriter, *http.Request)) {
	functions.HTTP(name, fn)
}

// RegisterWith is Register on the registry r.
func RegisterWith(r Registry, app *core.App, opts ...gcp.Option) error {
	if app == nil {
		return errors.New("gcf: nil App")
	}
	env, err := invoke.FromEnv()
	if err != nil {
		return fmt.Errorf("gcf: %w", err)
	}
	logger := slog.New(gcp.NewEnvLogHandler(os.Stdout, env))
	if _, ok := r.(declarative); ok {
		slog.SetDefault(logger) // functions' slog.InfoContext(ctx, ...) lines carry the invocation
	}
	opts = append([]gcp.Option{
		gcp.WithLogger(logger),
		gcp.WithMaxBodyBytes(env.MaxBodyBytes), gcp.WithErrorDetails(env.ExposeErrors),
	}, opts...)
	for _, f := range app.Functions() {
		h, err := gcp.Handler(app, append(opts[:len(opts):len(opts)], gcp.WithTarget(f.Name))...)
		if err != nil {
			return fmt.Errorf("gcf: %w", err)
		}
		r.HTTP(f.Name, h.ServeHTTP)
	}
	return nil
}
