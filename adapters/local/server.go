package local

import (
	"fmt"
	"io"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// Handler returns an http.Handler that serves app as described in the
// package documentation. It reads no environment variables and is safe for
// concurrent use. It returns an error when the App's routes collide or
// WithFunction names no event function.
func Handler(app *core.App, opts ...Option) (http.Handler, error) {
	h, _, err := newHandler(app, newConfig(opts))
	return h, err
}

// newHandler returns Handler's handler and the runtime it runs functions
// on, which Run's local bus shares.
func newHandler(app *core.App, c config) (http.Handler, *invoke.Runtime, error) {
	rt := invoke.New(invoke.Config{
		Provider:       c.provider,
		Logger:         c.logger,
		MaxBodyBytes:   c.maxBody,
		MaxBatchEvents: c.maxBatch,
		ExposeErrors:   c.exposeErrors,
	})
	mux := http.NewServeMux()
	if err := invoke.Handle(mux, "GET /healthz", http.HandlerFunc(health)); err != nil {
		return nil, nil, err
	}
	direct := map[string]http.Handler{} // POST paths of event functions
	for _, f := range app.Functions() {
		fn := rt.Function(f)
		switch f.Kind {
		case core.HTTPFunction:
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn.HTTP(w, r, start(r)) })
			if err := invoke.Route(mux, f, h); err != nil {
				return nil, nil, fmt.Errorf("local: %w", err)
			}
		case core.EventFunction:
			h := eventHandler(fn)
			if err := invoke.Handle(mux, "POST /"+f.Name, h); err != nil {
				return nil, nil, fmt.Errorf("local: event function %q: %w", f.Name, err)
			}
			direct["/"+f.Name] = h
		}
	}
	root, err := app.Select(c.function, core.EventFunction)
	if err != nil && c.function != "" {
		return nil, nil, fmt.Errorf("local: the function served at /: %w", err)
	}
	if root != nil {
		h := eventHandler(rt.Function(root))
		if err := invoke.Handle(mux, "POST /{$}", h); err != nil {
			return nil, nil, fmt.Errorf("local: event function %q at /: %w", root.Name, err)
		}
		direct["/"] = h
	}
	return &router{direct: direct, mux: mux}, rt, nil
}

// start describes the invocation a request begins: its id is the
// X-Request-Id header when the caller sends one, its trace context the
// traceparent header and, beside it only, tracestate.
func start(r *http.Request) invoke.Start {
	s := invoke.Start{ID: first(r.Header["X-Request-Id"]), TraceParent: first(r.Header["Traceparent"])}
	if s.TraceParent != "" {
		s.TraceState = first(r.Header["Tracestate"])
	}
	return s
}

// first returns a header's first value: Header.Get without canonicalizing
// a name that is canonical already.
func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// eventHandler serves fn's events in the CloudEvents binding, behind the
// App's event guards (core.App.GuardEvents).
func eventHandler(fn *invoke.Function) http.Handler { return fn.EventHandler(start, nil) }

// router sends POSTs to event functions by a map lookup, and everything else
// through the ServeMux, which also holds the event routes so that its
// conflict checks and 405 answers cover them.
type router struct {
	direct map[string]http.Handler
	mux    *http.ServeMux
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if h, ok := rt.direct[r.URL.Path]; ok {
			h.ServeHTTP(w, r)
			return
		}
	}
	rt.mux.ServeHTTP(w, r)
}

func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}
