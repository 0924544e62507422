package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/providers/azure"
)

// The headers of the host's requests the adapter reads.
const (
	headerInvocationID = "X-Azure-Functions-Invocationid" // canonical form of X-Azure-Functions-InvocationId
	headerTraceParent  = "Traceparent"
	headerTraceState   = "Tracestate"
)

// Handler returns an http.Handler that serves app as a custom handler, as
// described in the package documentation. It reads no environment variable
// and is safe for concurrent use. It returns an error when a function's
// trigger has no Azure binding or, with forwarding, HTTP routes collide.
func Handler(app *core.App, opts ...Option) (http.Handler, error) {
	c := newConfig(opts)
	rt := invoke.New(invoke.Config{
		Provider:       "azure",
		Logger:         slog.New(newLogHandler(c.stdout, c.stderr, c.logLevel, c.logSampleRate)),
		Timeout:        c.functionTimeout,
		MaxBodyBytes:   c.maxBody,
		MaxBatchEvents: c.maxBatch,
		ExposeErrors:   c.exposeErrors,
	})
	s := &server{app: app, rt: rt, expose: c.exposeErrors, funcs: map[*core.Function]*function{}, lower: map[string]*core.Function{}}
	forwarding := azure.Forwarding(app)
	if c.forwarding != nil {
		forwarding = *c.forwarding
	}
	mux := http.NewServeMux()
	for _, f := range app.Functions() {
		src, err := azure.SourceOf(f)
		if err != nil {
			return nil, err
		}
		if cfg, ok := c.functions[f.Name]; ok {
			src = azure.SourceFromConfig(src, cfg)
		}
		src.MaxBatchEvents = c.maxBatch
		fn := &function{Function: rt.Function(f), src: src}
		s.funcs[f] = fn
		s.lower[strings.ToLower(f.Name)] = f
		if !forwarding {
			continue
		}
		// The host forwards only functions bound to exactly httpTrigger and
		// http; it still sends envelopes to the others.
		if f.Kind == core.HTTPFunction {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn.HTTP(w, r, start(r, core.TriggerHTTP)) })
			if err := invoke.Route(mux, f, h); err != nil {
				return nil, fmt.Errorf("azure: %w", err)
			}
			continue
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.invoke(w, r, fn) })
		if err := invoke.Handle(mux, "POST /"+f.Name, h); err != nil {
			return nil, fmt.Errorf("azure: event function %q: %w", f.Name, err)
		}
	}
	_ = invoke.Handle(mux, "GET /{$}", http.HandlerFunc(ready)) // a function routed at / answers readiness itself
	_ = invoke.Handle(mux, "/", http.HandlerFunc(s.notFound))
	if forwarding {
		return mux, nil
	}
	return &dispatcher{s: s, mux: mux}, nil
}

// dispatcher serves envelope mode: POST /{name} invokes name, without the
// cost of pattern matching; anything else goes to mux.
type dispatcher struct {
	s   *server
	mux *http.ServeMux
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if name := r.URL.Path[min(1, len(r.URL.Path)):]; name != "" && strings.IndexByte(name, '/') < 0 {
			d.s.dispatch(w, r, name)
			return
		}
	}
	d.mux.ServeHTTP(w, r)
}

// function is a function of the App bound to the runtime, with how to
// decode its invocations.
type function struct {
	*invoke.Function
	src azure.Source
}

// httpTriggered reports whether the function's invocations carry HTTP
// requests: an HTTP function, or an event function declared (or
// configured) with an HTTP trigger.
func (fn *function) httpTriggered() bool {
	return fn.Def().Kind == core.HTTPFunction || strings.EqualFold(fn.src.Trigger.Type, azure.TypeHTTP)
}

type server struct {
	app    *core.App
	rt     *invoke.Runtime
	expose bool
	funcs  map[*core.Function]*function
	lower  map[string]*core.Function // by lower-case name
}

// start describes the invocation the host's request r begins.
func start(r *http.Request, trigger core.TriggerKind) invoke.Start {
	return invoke.Start{
		ID:          r.Header.Get(headerInvocationID),
		Trigger:     trigger,
		TraceParent: r.Header.Get(headerTraceParent),
		TraceState:  r.Header.Get(headerTraceState),
	}
}

func ready(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

// notFound answers a request no function serves.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	err := fmt.Errorf("no function serves %s %s (functions: %s)", r.Method, r.URL.Path, strings.Join(s.app.Names(), ", "))
	s.rejected(w, r.Context(), nil, http.StatusNotFound, err, r.Header.Get(headerInvocationID))
}

// dispatch serves POST /{name} in envelope mode. Azure function names are
// case-insensitive: a name the App does not hold as sent is looked up
// without case.
func (s *server) dispatch(w http.ResponseWriter, r *http.Request, name string) {
	f, err := s.app.Select(name, 0)
	if err != nil {
		if lf, ok := s.lower[strings.ToLower(name)]; ok {
			f, err = lf, nil
		}
	}
	fn := s.funcs[f]
	if fn == nil {
		if err == nil {
			err = fmt.Errorf("function %q was added to the App after the handler was built", name)
		}
		s.rejected(w, r.Context(), nil, http.StatusNotFound, err, r.Header.Get(headerInvocationID))
		return
	}
	s.invoke(w, r, fn)
}

// invoke serves one envelope-mode invocation of fn.
func (s *server) invoke(w http.ResponseWriter, r *http.Request, fn *function) {
	st := start(r, "")
	ctx, lg := withSink(r.Context(), st.ID)
	body, err := invoke.ReadBody(w, r, s.rt.MaxBodyBytes())
	if err != nil {
		if errors.Is(err, invoke.ErrBodyTooLarge) && fn.httpTriggered() {
			// The envelope holds an HTTP request too large to serve: its
			// caller gets 413 through the http output.
			fn.LogRejected(ctx, st.ID, err, slog.Int(invoke.KeyStatus, http.StatusRequestEntityTooLarge))
			rec := newRecorder()
			invoke.WriteError(rec, http.StatusRequestEntityTooLarge, err.Error(), driver.Permanent, st.ID)
			s.answerHTTP(w, fn, rec, lg)
			return
		}
		status := http.StatusBadRequest
		if errors.Is(err, invoke.ErrBodyTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		s.rejected(w, ctx, fn, status, err, st.ID)
		return
	}
	req, err := azure.ParseRequest(body)
	if err == nil {
		req.InvocationID = st.ID
		var inv *azure.Invocation
		if inv, err = azure.Decode(req, fn.src); err == nil {
			s.run(azure.NewContext(ctx, req), w, fn, inv, st, lg)
			return
		}
	}
	err = fmt.Errorf("function %q: %w", fn.Name(), err)
	if errors.Is(err, azure.ErrInvalidCloudEvents) {
		// The request's CloudEvents are bad, not the host's envelope: the
		// HTTP caller gets 400, or 413 for a batch over the cap, through
		// the http output, as from the local adapter.
		status := http.StatusBadRequest
		if errors.Is(err, cejson.ErrTooManyEvents) {
			status = http.StatusRequestEntityTooLarge
		}
		fn.LogRejected(ctx, st.ID, err, slog.Int(invoke.KeyStatus, status))
		rec := newRecorder()
		invoke.WriteError(rec, status, err.Error(), driver.Permanent, st.ID)
		s.answerHTTP(w, fn, rec, lg)
		return
	}
	s.rejected(w, ctx, fn, http.StatusBadRequest, err, st.ID)
}

// run runs the decoded invocation and answers the host.
func (s *server) run(ctx context.Context, w http.ResponseWriter, fn *function, inv *azure.Invocation, st invoke.Start, lg *sink) {
	st.Trigger = inv.Trigger
	if inv.HTTP != nil && st.TraceParent == "" {
		// The trace context of an HTTP trigger is its caller's.
		st.TraceParent, st.TraceState = inv.HTTP.Header.Get(headerTraceParent), inv.HTTP.Header.Get(headerTraceState)
	}
	switch {
	case fn.Def().Kind == core.HTTPFunction:
		if inv.HTTP == nil {
			err := fmt.Errorf("http function %q got a %s invocation; it serves HTTP triggers only", fn.Name(), inv.Binding.Type)
			s.rejected(w, ctx, fn, http.StatusBadRequest, err, st.ID)
			return
		}
		rec := newRecorder()
		fn.HTTP(rec, inv.HTTP.WithContext(ctx), st)
		s.answerHTTP(w, fn, rec, lg)
	case inv.HTTP != nil:
		// An event function on an HTTP trigger answers its caller as over
		// any HTTP: its whole answer becomes the http output.
		rec := newRecorder()
		dec := func(*http.Request, []byte) ([]core.Event, bool, error) { return inv.Events, inv.Batch, nil }
		fn.ServeGuarded(rec, inv.HTTP.WithContext(ctx), st, dec)
		s.answerHTTP(w, fn, rec, lg)
	default:
		ctx, cancel := fn.Begin(ctx, st)
		defer cancel()
		var res driver.BatchResult
		if len(inv.Events) == 1 && !inv.Batch {
			res.Records = []driver.RecordResult{fn.Event(ctx, inv.Events[0])}
		} else {
			res = fn.Batch(ctx, inv.Events, inv.Options())
		}
		resp, err := inv.Response(res, lg.take())
		if err != nil {
			s.fail(ctx, w, fn, inv, err)
			return
		}
		writeResponse(w, &resp)
	}
}

// answerHTTP answers the host with the HTTP response rec holds, in the
// function's http output.
func (s *server) answerHTTP(w http.ResponseWriter, fn *function, rec *recorder, lg *sink) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if _, set := rec.header["Content-Type"]; !set && rec.body.Len() > 0 {
		// As net/http does: sniff only when the handler set no
		// Content-Type at all (a nil value suppresses it).
		rec.header.Set("Content-Type", http.DetectContentType(rec.body.Bytes()))
	}
	resp := fn.src.HTTPResponse(rec.status, rec.header, rec.body.Bytes(), lg.take())
	writeResponse(w, &resp)
}

// fail answers a failed invocation with a non-2xx status, so that the host
// fails it and delivers it again. The runtime has logged the failed
// records; the host drops the answer's body and Logs.
func (s *server) fail(ctx context.Context, w http.ResponseWriter, fn *function, inv *azure.Invocation, err error) {
	var re *azure.ReplyError
	if errors.As(err, &re) {
		index := re.Index
		if !inv.Batch {
			index = -1
		}
		fn.LogFailure(ctx, inv.Events[re.Index], index, err)
	}
	o, msg := driver.OutcomeOf(err), s.rt.ErrorMessage(err)
	var be *azure.BatchError
	if errors.As(err, &be) {
		o = be.Outcome
		if !s.expose {
			msg = be.Summary()
		}
	}
	invoke.WriteError(w, s.rt.StatusOf(o), msg, o, core.InvocationFrom(ctx).ID)
}

// rejected answers a request that names no function or cannot be decoded,
// with the reason: it is about the host's request, not the function.
func (s *server) rejected(w http.ResponseWriter, ctx context.Context, fn *function, status int, err error, id string) {
	if fn != nil {
		fn.LogRejected(ctx, id, err, slog.Int(invoke.KeyStatus, status))
	} else {
		s.rt.LogRejected(ctx, id, err, slog.Int(invoke.KeyStatus, status))
	}
	invoke.WriteError(w, status, err.Error(), driver.Permanent, id)
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func writeResponse(w http.ResponseWriter, r *azure.Response) {
	bp := bufPool.Get().(*[]byte)
	b := r.AppendJSON((*bp)[:0])
	h := w.Header()
	h["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	*bp = b
	if cap(b) <= 1<<20 {
		bufPool.Put(bp)
	}
}

var jsonContentType = []string{"application/json"}

// recorder is the ResponseWriter of a function invoked over an HTTP
// trigger in envelope mode: the answer becomes the http output.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Flush does nothing: the host takes the answer whole.
func (r *recorder) Flush() {}
