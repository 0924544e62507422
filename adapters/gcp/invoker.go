package gcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// An Invoker runs one event function on a CloudEvent that a server has
// already read, such as functions-framework-go (see package gcf), and
// returns the HTTP status and body to answer with: 200 and "" on success;
// otherwise the status the package documentation lists, and the JSON error
// shape {"error","kind","invocation_id"} as the body. It may be called
// concurrently.
type Invoker func(ctx context.Context, e core.Event) (status int, body string)

// NewInvoker returns the Invoker of event function name of app, which
// runs on the same invocation runtime as Handler: the same invocation
// metadata, deadline, failure log lines and statuses. The Invoker
// normalizes each event first (providers/gcp.Normalize, in place: pass an
// event nothing else refers to), and answers 400 when a Pub/Sub message
// carries an invalid CloudEvent. Its invocation id is new for each event:
// the server does not pass the request's headers on. A reply event the
// function returns is dropped, with a debug log line: such servers have no
// way to send it. NewInvoker returns an error when name is not an event
// function of app.
func NewInvoker(app *core.App, name string, opts ...Option) (Invoker, error) {
	if app == nil {
		return nil, errors.New("gcp: nil App")
	}
	f, err := app.Select(name, core.EventFunction)
	if err != nil {
		return nil, fmt.Errorf("gcp: %w", err)
	}
	rt := newConfig(opts).runtime()
	fn := rt.Function(f)
	return func(ctx context.Context, e core.Event) (int, string) {
		if err := gcpprov.Normalize(&e); err != nil {
			fn.LogRejected(ctx, "", err, slog.Int(invoke.KeyStatus, http.StatusBadRequest))
			return http.StatusBadRequest, string(invoke.AppendError(nil, err.Error(), driver.Permanent, ""))
		}
		s := invoke.Start{Trigger: invoke.TriggerOf(core.EventKindOf(e))}
		s.TraceParent, _ = core.ExtensionString(e, "traceparent")
		s.TraceState, _ = core.ExtensionString(e, "tracestate")
		ctx, cancel := fn.Begin(ctx, s)
		defer cancel()
		res := fn.Event(ctx, e)
		if res.Err == nil {
			if res.Reply != nil {
				dropped(ctx, fn.Logger(), e, res.Reply)
			}
			return http.StatusOK, ""
		}
		o := res.Outcome()
		return rt.StatusOf(o), string(invoke.AppendError(nil, rt.ErrorMessage(res.Err), o, core.InvocationFrom(ctx).ID))
	}, nil
}

// dropped logs, at debug level, a reply event an Invoker cannot send.
func dropped(ctx context.Context, log *slog.Logger, e core.Event, reply *core.Event) {
	if log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "reply event dropped: functions-framework-go's CloudEvent functions have no reply",
			slog.String(invoke.KeyInvocationID, core.InvocationFrom(ctx).ID), slog.String(invoke.KeyEventID, e.ID()),
			slog.String("reply_id", reply.ID()), slog.String("reply_type", reply.Type()))
	}
}
