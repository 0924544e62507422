package gcf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"
	cesdkhttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
)

// Register registers every function of app with functions-framework-go's
// declarative registry, under its name: HTTP functions with functions.HTTP,
// event functions with functions.CloudEvent. The Go buildpack's generated
// main then serves the one FUNCTION_TARGET (set from
// GOOGLE_FUNCTION_TARGET, gcloud's --entry-point) names, at "/".
//
// Each function runs on the invocation runtime of package gcp (see
// gcp.Handler and gcp.NewInvoker): the same invocation metadata, deadline,
// failure log lines and statuses as the container path. Success answers
// 200; a failure answers the status package gcp documents, through the
// CloudEvents SDK's HTTP result: 500 for a retryable error or a panic, 422
// for a permanent one (see gcp.WithPermanentErrorStatus), 400 for a Pub/Sub
// message carrying an invalid CloudEvent, each with the JSON error shape as
// the body.
//
// Register reads POLYFN_LOG_LEVEL once; options override it. Like the other
// adapter packages it leaves POLYFN_TRACE_FILE to adapters.Run (built with
// -tags polyfn.gcpsource, Run registers through Register). Register the App
// once per process, after all of its middleware: functions-framework-go
// exits the process (log.Fatalf) when a name is registered twice.
func Register(app *core.App, opts ...gcp.Option) error {
	return RegisterWith(declarative{}, app, opts...)
}

// A Registry receives the functions RegisterWith hands over, by name.
// Register uses functions-framework-go's declarative registry; tests pass
// their own, to serve several Apps in one process.
type Registry interface {
	HTTP(name string, fn func(http.ResponseWriter, *http.Request))
	CloudEvent(name string, fn func(context.Context, event.Event) error)
}

// declarative is functions-framework-go's process-wide registry.
type declarative struct{}

func (declarative) HTTP(name string, fn func(http.ResponseWriter, *http.Request)) {
	functions.HTTP(name, fn)
}

func (declarative) CloudEvent(name string, fn func(context.Context, event.Event) error) {
	functions.CloudEvent(name, fn)
}

// RegisterWith is Register on the registry r.
func RegisterWith(r Registry, app *core.App, opts ...gcp.Option) error {
	if app == nil {
		return errors.New("gcf: nil App")
	}
	opts = append([]gcp.Option{gcp.WithLogger(gcp.NewLogger(os.Stdout, os.Getenv("POLYFN_LOG_LEVEL")))}, opts...)
	for _, f := range app.Functions() {
		switch f.Kind {
		case core.HTTPFunction:
			h, err := gcp.Handler(app, append(opts, gcp.WithTarget(f.Name))...)
			if err != nil {
				return fmt.Errorf("gcf: %w", err)
			}
			r.HTTP(f.Name, h.ServeHTTP)
		case core.EventFunction:
			inv, err := gcp.NewInvoker(app, f.Name, opts...)
			if err != nil {
				return fmt.Errorf("gcf: %w", err)
			}
			r.CloudEvent(f.Name, CloudEventFunc(inv))
		}
	}
	return nil
}

// CloudEventFunc adapts an Invoker to functions-framework-go's CloudEvent
// function signature: a status other than 200 becomes the CloudEvents
// SDK's HTTP result, which functions-framework-go answers with. Register
// uses it; call it to register a function under another name or path.
func CloudEventFunc(inv gcp.Invoker) func(context.Context, event.Event) error {
	return func(ctx context.Context, e event.Event) error {
		// e is this request's own copy: the Invoker may normalize it in place.
		status, body := inv(ctx, e)
		if status == http.StatusOK {
			return nil
		}
		return cesdkhttp.NewResult(status, "%s", body)
	}
}
