package gcp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/tracectx"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// Handler returns an http.Handler that serves app under the Cloud Functions
// HTTP contract described in the package documentation. It reads no
// environment variables (Run does) and is safe for concurrent use. It
// returns an error when WithTarget names no function of app or two routes
// collide.
func Handler(app *core.App, opts ...Option) (http.Handler, error) {
	if app == nil {
		return nil, errors.New("gcp: nil App")
	}
	c := newConfig(opts)
	rt := c.runtime()
	if c.target != "" {
		f, err := app.Select(c.target, 0)
		if err != nil {
			return nil, fmt.Errorf("gcp: no matching function found with name %q (FUNCTION_TARGET): %w", c.target, err)
		}
		return targetHandler(rt.Function(f)), nil
	}
	mux := http.NewServeMux()
	for _, f := range app.Functions() {
		fn := rt.Function(f)
		var err error
		switch f.Kind {
		case core.HTTPFunction:
			err = invoke.Route(mux, f, httpHandler(fn))
		case core.EventFunction:
			if err = invoke.Handle(mux, "/"+f.Name, eventHandler(fn)); err != nil {
				err = fmt.Errorf("event function %q: %w", f.Name, err)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("gcp: %w", err)
		}
	}
	return mux, nil
}

// targetHandler serves fn at every path and method, as FUNCTION_TARGET
// does. The platform routed the request, not a pattern of fn's: when a
// ServeMux in front set one (functions-framework-go's "/"), the runtime is
// told so, and fills in the path values of fn's own routes.
func targetHandler(fn *invoke.Function) http.Handler {
	if fn.Def().Kind == core.EventFunction {
		return eventHandler(fn)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Pattern != "" {
			r = r.WithContext(r.Context())
			r.Pattern = ""
		}
		fn.HTTP(w, r, startOf(r))
	})
}

func httpHandler(fn *invoke.Function) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn.HTTP(w, r, startOf(r)) })
}

func eventHandler(fn *invoke.Function) http.Handler { return fn.EventHandler(startOf, decode) }

// startOf describes the invocation a request begins: its id is the one
// Cloud Functions gives the request, the Function-Execution-Id header, else
// the trace id of X-Cloud-Trace-Context (Cloud Run), else a new one; its
// trace context is the W3C traceparent and tracestate headers, else the
// same trace and span as X-Cloud-Trace-Context.
func startOf(r *http.Request) invoke.Start {
	id := r.Header.Get("Function-Execution-Id")
	if id == "" {
		id, _, _ = strings.Cut(r.Header.Get("X-Cloud-Trace-Context"), "/")
	}
	s := invoke.Start{ID: id, TraceParent: r.Header.Get("Traceparent"), TraceState: r.Header.Get("Tracestate")}
	if _, ok := tracectx.Parse(s.TraceParent); !ok {
		s.TraceParent, _ = tracectx.FromCloudTrace(r.Header.Get("X-Cloud-Trace-Context"))
		s.TraceState = ""
	}
	return s
}

// decode is the invoke.Decoder of the Cloud Functions contract: one event
// per request, read by providers/gcp.DecodeRequest (binary and structured
// CloudEvents, legacy events, Pub/Sub push envelopes). The W3C trace
// context of the delivery becomes the event's distributed-tracing
// extensions when the event carries none of its own.
func decode(r *http.Request, body []byte) ([]core.Event, bool, error) {
	e, err := gcpprov.DecodeRequest(r.Header, body, r.URL.Path)
	if err != nil {
		return nil, false, err
	}
	if tp := r.Header.Get("Traceparent"); tp != "" {
		if _, has := core.Extension(e, "traceparent"); !has {
			e.SetExtension("traceparent", tp)
			if ts := r.Header.Get("Tracestate"); ts != "" {
				e.SetExtension("tracestate", ts)
			}
		}
	}
	return []core.Event{e}, false, nil
}
