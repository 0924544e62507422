package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
)

// Handler returns an http.Handler that serves app as described in the
// package documentation. It reads no environment variables and is safe for
// concurrent use. It returns an error when the App's routes collide or
// WithFunction names no event function.
func Handler(app *core.App, opts ...Option) (http.Handler, error) {
	c := newConfig(opts)
	s := &server{cfg: c}
	mux := http.NewServeMux()
	if err := handle(mux, "GET /healthz", http.HandlerFunc(health)); err != nil {
		return nil, err
	}
	var events []*core.Function
	direct := map[string]http.Handler{} // POST paths of event functions
	for _, f := range app.Functions() {
		switch f.Kind {
		case core.HTTPFunction:
			h := s.httpFunction(f)
			for _, t := range f.Triggers {
				patterns := []string{t.Route}
				if len(t.Methods) > 0 {
					patterns = patterns[:0]
					for _, m := range t.Methods {
						patterns = append(patterns, m+" "+t.Route)
					}
				}
				for _, p := range patterns {
					if err := handle(mux, p, h); err != nil {
						return nil, fmt.Errorf("local: http function %q: %w", f.Name, err)
					}
				}
			}
		case core.EventFunction:
			events = append(events, f)
			h := s.eventFunction(f)
			if err := handle(mux, "POST /"+f.Name, h); err != nil {
				return nil, fmt.Errorf("local: event function %q: %w", f.Name, err)
			}
			direct["/"+f.Name] = h
		}
	}
	var root *core.Function
	switch {
	case c.function != "":
		f, ok := app.Function(c.function)
		if !ok || f.Kind != core.EventFunction {
			return nil, fmt.Errorf("local: function %q selected for / is not an event function of this app (have %v)", c.function, app.Names())
		}
		root = f
	case len(events) == 1:
		root = events[0]
	}
	if root != nil {
		h := s.eventFunction(root)
		if err := handle(mux, "POST /{$}", h); err != nil {
			return nil, fmt.Errorf("local: event function %q at /: %w", root.Name, err)
		}
		direct["/"] = h
	}
	return &router{direct: direct, mux: mux}, nil
}

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

func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

type server struct {
	cfg  config
	seq  atomic.Uint64
	cold atomic.Bool // set once the first invocation has run
}

// invocation returns the context of one invocation of f: its metadata and,
// when f declares a timeout (core.WithTimeout), its deadline.
func (s *server) invocation(ctx context.Context, f *core.Function, id string, trigger core.TriggerKind) (context.Context, context.CancelFunc) {
	if id == "" {
		id = strconv.FormatUint(s.seq.Add(1), 10)
	}
	inv := core.Invocation{
		Function:  f.Name,
		ID:        id,
		Provider:  s.cfg.provider,
		Trigger:   trigger,
		ColdStart: !s.cold.Swap(true),
	}
	cancel := context.CancelFunc(func() {})
	if f.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, f.Timeout)
		inv.Deadline, _ = ctx.Deadline()
	}
	return core.WithInvocation(ctx, &inv), cancel
}

func (s *server) httpFunction(f *core.Function) http.Handler {
	h := f.HTTPHandler()
	log := s.cfg.logger.With("function", f.Name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := s.invocation(r.Context(), f, r.Header.Get("X-Request-Id"), core.TriggerHTTP)
		defer cancel()
		ctx = core.WithHTTPPanicHook(ctx, func(p *core.PanicError) {
			log.Error("function panicked", "id", core.InvocationID(ctx), "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
		})
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
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes", tooBig.Limit), "")
				return
			}
			writeError(w, http.StatusBadRequest, "reading request body: "+err.Error(), "")
			return
		}
		var e core.Event
		if !cehttp.IsCloudEventContentType(r.Header.Get("Content-Type")) {
			e, err = cehttp.ReadBinary(r.Header, body) // the common case, without a slice
		} else {
			var evs []core.Event
			var mode cehttp.Mode
			evs, mode, err = cehttp.Read(r.Header, body)
			if err == nil && mode == cehttp.Batch {
				s.batch(w, r, f, fn, log, evs)
				return
			}
			if err == nil {
				e = evs[0]
			}
		}
		if err != nil {
			log.Warn("rejected request", "error", err.Error())
			writeError(w, http.StatusBadRequest, err.Error(), "")
			return
		}
		ctx, cancel := s.invocation(r.Context(), f, e.ID(), core.TriggerDirect)
		defer cancel()
		reply, err := fn(ctx, e)
		if err != nil {
			logFailure(log, e, err)
			writeError(w, http.StatusInternalServerError, err.Error(), core.KindOf(err).String())
			return
		}
		writeReply(w, log, reply)
	})
}

func (s *server) batch(w http.ResponseWriter, r *http.Request, f *core.Function, fn core.EventFunc, log *slog.Logger, evs []core.Event) {
	ctx, cancel := s.invocation(r.Context(), f, "", core.TriggerDirect)
	defer cancel()
	res := core.RunBatch(ctx, fn, evs, core.BatchOptions{Concurrency: f.BatchConcurrency})
	if failed := res.Failed(); len(failed) > 0 {
		type failure struct {
			Index int    `json:"index"`
			ID    string `json:"id"`
			Error string `json:"error"`
			Kind  string `json:"kind"`
		}
		out := struct {
			Error  string    `json:"error"`
			Failed []failure `json:"failed"`
		}{Error: fmt.Sprintf("%d of %d events failed", len(failed), len(evs))}
		for _, i := range failed {
			err := res.Records[i].Err
			logFailure(log, evs[i], err)
			out.Failed = append(out.Failed, failure{i, evs[i].ID(), err.Error(), core.KindOf(err).String()})
		}
		writeJSON(w, http.StatusInternalServerError, out)
		return
	}
	var replies []byte
	for _, rr := range res.Records {
		if rr.Reply == nil {
			continue
		}
		if replies == nil {
			replies = append(replies, '[')
		} else {
			replies = append(replies, ',')
		}
		var err error
		if replies, err = cejson.Append(replies, *rr.Reply); err != nil {
			writeError(w, http.StatusInternalServerError, "encoding reply: "+err.Error(), "")
			return
		}
	}
	if replies == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	replies = append(replies, ']')
	w.Header().Set("Content-Type", cehttp.BatchContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(replies)
}

func writeReply(w http.ResponseWriter, log *slog.Logger, reply *core.Event) {
	if reply == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := cejson.Validate(*reply); err != nil {
		log.Error("function returned an invalid reply event", "error", err.Error())
		writeError(w, http.StatusInternalServerError, "reply event: "+err.Error(), core.ErrorPermanent.String())
		return
	}
	if err := cehttp.WriteBinary(w, reply, http.StatusOK); err != nil {
		log.Error("writing reply", "error", err.Error())
	}
}

func logFailure(log *slog.Logger, e core.Event, err error) {
	var p *core.PanicError
	if errors.As(err, &p) {
		log.Error("function panicked", "id", e.ID(), "type", e.Type(), "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
		return
	}
	log.Error("function failed", "id", e.ID(), "type", e.Type(), "error", err.Error(), "kind", core.KindOf(err).String())
}

func writeError(w http.ResponseWriter, status int, msg, kind string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
		Kind  string `json:"kind,omitempty"`
	}{msg, kind})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
