package gcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
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
	s := newServer(newConfig(opts))
	mux := http.NewServeMux()
	if s.cfg.targetSet {
		f, ok := app.Function(s.cfg.target)
		if !ok {
			return nil, fmt.Errorf("gcp: no matching function found with name %q (FUNCTION_TARGET); the app has %v", s.cfg.target, app.Names())
		}
		mux.Handle("/", s.function(f))
		return mux, nil
	}
	for _, f := range app.Functions() {
		var patterns []string
		if f.Kind == core.EventFunction {
			patterns = []string{"/" + f.Name}
		}
		for _, t := range f.Triggers {
			if t.Kind != core.TriggerHTTP {
				continue
			}
			if len(t.Methods) == 0 {
				patterns = append(patterns, t.Route)
			}
			for _, m := range t.Methods {
				patterns = append(patterns, m+" "+t.Route)
			}
		}
		h := s.function(f)
		for _, p := range patterns {
			if err := handle(mux, p, h); err != nil {
				return nil, fmt.Errorf("gcp: %s function %q: %w", f.Kind, f.Name, err)
			}
		}
	}
	return mux, nil
}

// handle registers h at pattern, turning ServeMux's panic on a conflicting
// pattern into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("route %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// server holds what every function of one Handler or Invoker shares.
type server struct {
	cfg  config
	warm atomic.Bool // set by the first invocation
}

func newServer(c config) *server { return &server{cfg: c} }

func (s *server) function(f *core.Function) http.Handler {
	if f.Kind == core.HTTPFunction {
		return s.httpFunction(f)
	}
	return s.eventFunction(f)
}

// invocation builds f's invocation metadata and context.
func (s *server) invocation(ctx context.Context, f *core.Function, id string, trigger core.TriggerKind) (context.Context, context.CancelFunc) {
	var cancel context.CancelFunc
	if d := minTimeout(s.cfg.timeout, f.Timeout); d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	inv := &core.Invocation{
		Function:  f.Name,
		ID:        id,
		Provider:  "gcp",
		Trigger:   trigger,
		ColdStart: !s.warm.Swap(true),
	}
	inv.Deadline, _ = ctx.Deadline()
	return driver.WithInvocation(ctx, inv), cancel
}

func minTimeout(a, b time.Duration) time.Duration {
	if a <= 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// executionID returns the id Cloud Functions gives a request: the
// Function-Execution-Id header, else the trace id of X-Cloud-Trace-Context.
func executionID(r *http.Request) string {
	if id := r.Header.Get("Function-Execution-Id"); id != "" {
		return id
	}
	trace, _, _ := strings.Cut(r.Header.Get("X-Cloud-Trace-Context"), "/")
	return trace
}

func (s *server) httpFunction(f *core.Function) http.Handler {
	h := f.HTTPHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := executionID(r)
		ctx, cancel := s.invocation(r.Context(), f, id, core.TriggerHTTP)
		if cancel != nil {
			defer cancel()
		}
		if r.ContentLength > s.cfg.maxBody {
			textError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes", s.cfg.maxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBody)
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *server) eventFunction(f *core.Function) http.Handler {
	fn := f.EventFunc()
	log := s.cfg.logger.With("function", f.Name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				textError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes", tooBig.Limit))
				return
			}
			textError(w, http.StatusBadRequest, "reading request body: "+err.Error())
			return
		}
		e, err := gcpprov.DecodeRequest(r.Header, body, r.URL.Path)
		if err != nil {
			log.Warn("rejected request", "error", err.Error(), "method", r.Method, "path", r.URL.Path)
			textError(w, http.StatusBadRequest, err.Error())
			return
		}
		if tp := r.Header.Get("Traceparent"); tp != "" {
			// The distributed-tracing extension carries the W3C trace
			// context of the delivery when the event has none of its own.
			if _, has := core.Extension(e, "traceparent"); !has {
				e.SetExtension("traceparent", tp)
				if ts := r.Header.Get("Tracestate"); ts != "" {
					e.SetExtension("tracestate", ts)
				}
			}
		}
		status, msg := s.invoke(r.Context(), f, fn, log, e)
		if status == http.StatusOK {
			w.WriteHeader(status)
			return
		}
		textError(w, status, msg)
	})
}

// An Invoker runs one event function on a CloudEvent that is already
// decoded and returns the HTTP status and the text/plain message to answer
// with: 200 and "" on success, otherwise as the package documentation
// lists. It is the glue for servers that decode requests themselves, such
// as functions-framework-go (see package gcf). It may be called concurrently.
type Invoker func(ctx context.Context, e core.Event) (status int, msg string)

// NewInvoker returns the Invoker of event function name of app. It does not
// run providers/gcp.FromCloudEvent: the caller does. It returns an error
// when name is not an event function of app.
func NewInvoker(app *core.App, name string, opts ...Option) (Invoker, error) {
	if app == nil {
		return nil, errors.New("gcp: nil App")
	}
	f, ok := app.Function(name)
	if !ok || f.Kind != core.EventFunction {
		return nil, fmt.Errorf("gcp: %q is not an event function of this app (have %v)", name, app.Names())
	}
	s := newServer(newConfig(opts))
	fn := f.EventFunc()
	log := s.cfg.logger.With("function", f.Name)
	return func(ctx context.Context, e core.Event) (int, string) {
		return s.invoke(ctx, f, fn, log, e)
	}, nil
}

// invoke runs fn on e and returns the status and message to answer with.
func (s *server) invoke(ctx context.Context, f *core.Function, fn core.EventFunc, log *slog.Logger, e core.Event) (int, string) {
	ctx, cancel := s.invocation(ctx, f, e.ID(), gcpprov.TriggerOf(core.EventKindOf(e)))
	if cancel != nil {
		defer cancel()
	}
	reply, err := fn(ctx, e)
	if err == nil {
		if reply != nil && log.Enabled(ctx, slog.LevelDebug) {
			log.Debug("reply event dropped: a Cloud Functions event function has no reply channel",
				"id", e.ID(), "reply_id", reply.ID(), "reply_type", reply.Type(), "reply_source", reply.Source())
		}
		return http.StatusOK, ""
	}
	var p *core.PanicError
	if errors.As(err, &p) {
		log.Error("function panicked", "id", e.ID(), "type", e.Type(), "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
		return http.StatusInternalServerError, "A panic occurred during user function execution. Please see logs for more details."
	}
	kind := core.ErrorKindOf(err)
	log.Error("function failed", "id", e.ID(), "type", e.Type(), "error", err.Error(), "kind", kind.String())
	if kind == core.ErrorPermanent {
		return s.cfg.permanentStatus, "Function error (permanent): " + err.Error()
	}
	return http.StatusInternalServerError, "Function error: " + err.Error()
}

func textError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
