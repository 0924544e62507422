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
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// Register registers every function of app with functions-framework-go's
// declarative registry, under its name: HTTP functions with functions.HTTP,
// event functions with functions.CloudEvent. The Go buildpack's generated
// main then serves the one FUNCTION_TARGET (set from
// GOOGLE_FUNCTION_TARGET, gcloud's --entry-point) names, at "/".
//
// Each event goes through providers/gcp.FromCloudEvent (portable kind,
// Pub/Sub unwrapping) before the function sees it. Success answers 200; an
// error answers the status package gcp documents, through the CloudEvents
// SDK's HTTP result: 500 for a retryable error or a panic, 422 for a
// permanent one (see gcp.WithPermanentErrorStatus), 400 for a Pub/Sub
// message carrying an invalid CloudEvent.
//
// Register reads POLYFN_LOG_LEVEL once; options override it. Like the other
// adapter packages it leaves POLYFN_TRACE_FILE to adapters.Run (built with
// -tags polyfn.gcpsource, Run registers through Register). Register the App once per process, after all of
// its middleware: functions-framework-go exits the process (log.Fatalf)
// when a name is registered twice.
func Register(app *core.App, opts ...gcp.Option) error {
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
			functions.HTTP(f.Name, h.ServeHTTP)
		case core.EventFunction:
			inv, err := gcp.NewInvoker(app, f.Name, opts...)
			if err != nil {
				return fmt.Errorf("gcf: %w", err)
			}
			functions.CloudEvent(f.Name, CloudEventFunc(inv))
		}
	}
	return nil
}

// CloudEventFunc adapts an Invoker to functions-framework-go's CloudEvent
// function signature: the event goes through providers/gcp.Normalize,
// and a status other than 200 becomes the CloudEvents SDK's HTTP result,
// which functions-framework-go answers with. Register uses it; call it to
// register a function under another name or path.
func CloudEventFunc(inv gcp.Invoker) func(context.Context, event.Event) error {
	return func(ctx context.Context, e event.Event) error {
		// e is this request's own copy: normalize it in place.
		if err := gcpprov.Normalize(&e); err != nil {
			return cesdkhttp.NewResult(http.StatusBadRequest, "%s", err.Error())
		}
		status, msg := inv(ctx, e)
		if status == http.StatusOK {
			return nil
		}
		return cesdkhttp.NewResult(status, "%s", msg)
	}
}
