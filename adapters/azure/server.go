package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/providers/azure"
)

// Handler returns an http.Handler that serves app as a custom handler, as
// described in the package documentation. It reads no environment variable
// and is safe for concurrent use. It returns an error when a function's
// trigger has no Azure binding or, with forwarding, HTTP routes collide.
func Handler(app *core.App, opts ...Option) (http.Handler, error) {
	c := newConfig(opts)
	s := &server{
		cfg:   c,
		log:   slog.New(NewLogHandler(c.stdout, c.stderr)),
		funcs: map[string]*function{},
		lower: map[string]*function{},
		names: app.Names(),
	}
	forwarding := azure.Forwarding(app)
	if c.forwarding != nil {
		forwarding = *c.forwarding
	}
	mux := http.NewServeMux()
	for _, f := range app.Functions() {
		src, err := azure.SourceOf(f)
		if err != nil {
			return nil, fmt.Errorf("azure: %w", err)
		}
		if cfg, ok := c.functions[f.Name]; ok {
			src = azure.SourceFromConfig(src, cfg)
		}
		fn := &function{f: f, src: src, event: f.EventFunc(), http: f.HTTPHandler(), timeout: f.Timeout}
		if fn.timeout == 0 {
			fn.timeout = c.functionTimeout
		}
		s.funcs[f.Name] = fn
		s.lower[strings.ToLower(f.Name)] = fn
		if forwarding {
			// The host forwards only functions bound to exactly httpTrigger
			// and http; it still sends envelopes to the others.
			if f.Kind == core.HTTPFunction {
				if err := s.route(mux, fn); err != nil {
					return nil, err
				}
			} else {
				name := f.Name
				if err := handle(mux, "POST /"+name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.invoke(w, r, name) })); err != nil {
					return nil, fmt.Errorf("azure: event function %q: %w", name, err)
				}
			}
		}
	}
	_ = handle(mux, "GET /{$}", http.HandlerFunc(ready)) // a function routed at / answers readiness itself
	_ = handle(mux, "/", http.HandlerFunc(s.notFound))
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
			d.s.invoke(w, r, name)
			return
		}
	}
	d.mux.ServeHTTP(w, r)
}

type function struct {
	f       *core.Function
	src     azure.Source
	event   core.EventFunc
	http    http.Handler
	timeout time.Duration
}

type server struct {
	cfg   config
	log   *slog.Logger
	funcs map[string]*function
	lower map[string]*function
	names []string
	cold  atomic.Bool
	seq   atomic.Uint64
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

func ready(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("no function serves %s %s (functions: %s)", r.Method, r.URL.Path, strings.Join(s.names, ", "))
	s.log.WarnContext(r.Context(), "request rejected", "error", msg)
	writeError(w, http.StatusNotFound, msg, "", nil)
}

// route serves an HTTP function at its routes, for forwarded requests.
func (s *server) route(mux *http.ServeMux, fn *function) error {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Azure-Functions-InvocationId")
		ctx, cancel, _ := s.context(r.Context(), fn, id, core.TriggerHTTP)
		defer cancel()
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBody)
		fn.http.ServeHTTP(w, r.WithContext(ctx))
	})
	for _, t := range fn.f.Triggers {
		patterns := []string{t.Route}
		if len(t.Methods) > 0 {
			patterns = patterns[:0]
			for _, m := range t.Methods {
				patterns = append(patterns, m+" "+t.Route)
			}
		}
		for _, p := range patterns {
			if err := handle(mux, p, h); err != nil {
				return fmt.Errorf("azure: http function %q: %w", fn.f.Name, err)
			}
		}
	}
	return nil
}

// context returns the invocation's context: deadline, invocation metadata,
// log sink and panic hook.
func (s *server) context(parent context.Context, fn *function, id string, trigger core.TriggerKind) (context.Context, context.CancelFunc, *sink) {
	if id == "" {
		id = fmt.Sprintf("polyfn-%d", s.seq.Add(1))
	}
	inv := &core.Invocation{Function: fn.f.Name, ID: id, Provider: "azure", Trigger: trigger, ColdStart: !s.cold.Swap(true)}
	ctx, cancel := parent, context.CancelFunc(func() {})
	if fn.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, fn.timeout)
		inv.Deadline, _ = ctx.Deadline()
	}
	lg := &sink{}
	ctx = withSink(driver.WithInvocation(ctx, inv), lg)
	return ctx, cancel, lg
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// invoke serves one envelope-mode invocation: POST /{name}.
func (s *server) invoke(w http.ResponseWriter, r *http.Request, name string) {
	fn, ok := s.funcs[name]
	if !ok {
		fn, ok = s.lower[strings.ToLower(name)]
	}
	if !ok {
		s.reject(w, r, http.StatusNotFound, fmt.Sprintf("unknown function %q (functions: %s)", name, strings.Join(s.names, ", ")))
		return
	}
	// The body is not pooled: the decoded request and events share its
	// memory, and a function may (against the contract) keep them.
	size := 1024
	if n := r.ContentLength; n > 0 && n < s.cfg.maxBody {
		size = int(n) + 1 // +1 lets Read report EOF without growing
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, s.cfg.maxBody), make([]byte, 0, size))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.reject(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("function %q: request body exceeds the limit of %d bytes", fn.f.Name, tooBig.Limit))
			return
		}
		s.reject(w, r, http.StatusBadRequest, fmt.Sprintf("function %q: reading request body: %v", fn.f.Name, err))
		return
	}
	req, err := azure.ParseRequest(body)
	if err != nil {
		s.reject(w, r, http.StatusBadRequest, fmt.Sprintf("function %q: %v", fn.f.Name, err))
		return
	}
	req.InvocationID = r.Header.Get("X-Azure-Functions-InvocationId")
	inv, err := azure.Decode(req, fn.src)
	if err != nil {
		s.reject(w, r, http.StatusBadRequest, fmt.Sprintf("function %q: %v", fn.f.Name, err))
		return
	}
	ctx, cancel, lg := s.context(r.Context(), fn, req.InvocationID, inv.Trigger)
	defer cancel()
	ctx = azure.NewContext(ctx, req)
	if fn.f.Kind == core.HTTPFunction {
		s.serveHTTP(ctx, w, fn, inv, lg)
		return
	}
	s.serveEvent(ctx, w, fn, inv, lg)
}

// readAll reads r into buf's spare capacity.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// reject answers a request the adapter cannot serve, and logs why.
func (s *server) reject(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.log.ErrorContext(r.Context(), "invocation rejected", "path", r.URL.Path, "status", status, "error", msg,
		"invocation_id", r.Header.Get("X-Azure-Functions-InvocationId"))
	writeError(w, status, msg, core.ErrorPermanent.String(), nil)
}

func (s *server) serveHTTP(ctx context.Context, w http.ResponseWriter, fn *function, inv *azure.Invocation, lg *sink) {
	if inv.HTTP == nil {
		msg := fmt.Sprintf("http function %q got a %s invocation; it serves HTTP triggers only", fn.f.Name, inv.Binding.Type)
		s.log.ErrorContext(ctx, "invocation rejected", "error", msg)
		writeError(w, http.StatusBadRequest, msg, core.ErrorPermanent.String(), lg.take())
		return
	}
	rec := &recorder{header: http.Header{}}
	fn.http.ServeHTTP(rec, inv.HTTP.WithContext(ctx))
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.header.Get("Content-Type") == "" && rec.body.Len() > 0 {
		rec.header.Set("Content-Type", http.DetectContentType(rec.body.Bytes()))
	}
	resp := azure.Response{Logs: lg.take()}
	setHTTPOutput(&resp, fn.src, azure.HTTPOutput(rec.status, rec.header, rec.body.Bytes()))
	writeResponse(w, &resp)
}

func (s *server) serveEvent(ctx context.Context, w http.ResponseWriter, fn *function, inv *azure.Invocation, lg *sink) {
	var replies []*core.Event
	if len(inv.Events) == 1 && !inv.Batch {
		e := inv.Events[0]
		reply, err := fn.event(ctx, e)
		if err != nil {
			s.fail(ctx, w, fn, err, lg, "id", e.ID(), "type", e.Type())
			return
		}
		if reply != nil {
			replies = []*core.Event{reply}
		}
	} else {
		ordered := inv.Trigger == core.TriggerStream
		res := driver.RunBatch(ctx, fn.event, inv.Events, driver.BatchOptions{Concurrency: fn.f.BatchConcurrency, StopOnFailure: ordered})
		failed := res.Failed()
		for i, rr := range res.Records {
			e := inv.Events[i]
			if rr.Err != nil {
				s.log.WarnContext(ctx, "record failed", "function", fn.f.Name, "index", i, "id", e.ID(), "error", rr.Err.Error(), "kind", core.ErrorKindOf(rr.Err).String())
			} else {
				s.log.InfoContext(ctx, "record succeeded", "function", fn.f.Name, "index", i, "id", e.ID())
			}
			replies = append(replies, rr.Reply)
		}
		if len(failed) > 0 {
			err := fmt.Errorf("%d of %d records failed; Azure has no partial failure, so the whole batch fails: %w", len(failed), len(inv.Events), res.Err())
			s.fail(ctx, w, fn, err, lg)
			return
		}
	}
	resp := azure.Response{Logs: lg.take()}
	if inv.Trigger == core.TriggerHTTP {
		var first *core.Event
		if len(replies) > 0 {
			first = replies[0]
		}
		out, err := azure.HTTPReply(first)
		if err != nil {
			s.fail(ctx, w, fn, fmt.Errorf("reply event: %w", err), lg)
			return
		}
		setHTTPOutput(&resp, fn.src, out)
	} else {
		rv, err := azure.ReplyValue(replies)
		if err != nil {
			s.fail(ctx, w, fn, core.Permanent(fmt.Errorf("reply event: %w", err)), lg)
			return
		}
		resp.ReturnValue = rv
	}
	resp.Logs = lg.take()
	writeResponse(w, &resp)
}

// fail answers a failed invocation with 500 and logs the error to stderr,
// since the host drops the body and Logs of a non-2xx answer.
func (s *server) fail(ctx context.Context, w http.ResponseWriter, fn *function, err error, lg *sink, attrs ...any) {
	args := append([]any{"function", fn.f.Name, "error", err.Error(), "kind", core.ErrorKindOf(err).String()}, attrs...)
	var p *core.PanicError
	if errors.As(err, &p) {
		args = append(args, "stack", string(p.Stack))
		s.log.ErrorContext(ctx, "function panicked", args...)
	} else {
		s.log.ErrorContext(ctx, "function failed", args...)
	}
	writeError(w, http.StatusInternalServerError, err.Error(), core.ErrorKindOf(err).String(), lg.take())
}

// setHTTPOutput puts an http output value where the function's http output
// binding takes it: Outputs.res, or ReturnValue when it is named $return.
func setHTTPOutput(resp *azure.Response, src azure.Source, v json.RawMessage) {
	if name := src.HTTPOutputBinding(); name == "$return" {
		resp.ReturnValue = v
	} else {
		resp.Outputs = map[string]json.RawMessage{name: v}
	}
}

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

// writeError answers a failure: the host ignores the body, but people
// reading a simulator's or curl's output do not.
func writeError(w http.ResponseWriter, status int, msg, kind string, logs []string) {
	b := append([]byte(`{"error":`), cejson.AppendString(nil, msg)...)
	if kind != "" {
		b = append(b, `,"kind":`...)
		b = cejson.AppendString(b, kind)
	}
	if logs != nil {
		b = append(b, `,"Logs":`...)
		lb, _ := json.Marshal(logs)
		b = append(b, lb...)
	}
	b = append(b, "}\n"...)
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// recorder is the ResponseWriter of an HTTP function invoked in envelope
// mode: the answer becomes the "res" output.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

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
