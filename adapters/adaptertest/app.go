package adaptertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/polyfn/polyfn/core"
)

// The suite's functions.
const (
	fnEvents = "events" // OnQueue: behaves as its data says
	fnStream = "stream" // OnStream, batch concurrency 4
	fnSlow   = "slow"   // WithTimeout(slowTimeout)
	fnWeb    = "web"    // HTTP at /web/
	fnItem   = "item"   // HTTP at GET /items/{id}
)

const slowTimeout = 300 * time.Millisecond

// order is what the suite's event functions read from their data.
type order struct {
	// Fail is "permanent", "retryable" or "panic".
	Fail string `json:"fail,omitempty"`
	// Reply asks for a reply event.
	Reply bool `json:"reply,omitempty"`
	// Wait blocks until the invocation's context is done.
	Wait bool `json:"wait,omitempty"`
	// Seq numbers records, to check their order.
	Seq int `json:"seq,omitempty"`
}

// seen is what a function saw of one call.
type seen struct {
	fn          string
	event       core.Event
	inv         core.Invocation
	ctxDeadline time.Time
	order       order
	trace       []string // middleware and function, in call order
	innerErr    error    // the error the inner middleware saw
}

// recorder keeps every call of the suite's functions. It is safe for
// concurrent use.
type recorder struct {
	mu    sync.Mutex
	calls []*seen
	byID  map[string]*seen // the latest call per event id
}

func newRecorder() *recorder { return &recorder{byID: map[string]*seen{}} }

func (r *recorder) get(id string) (*seen, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.byID[id]
	return s, ok
}

func (r *recorder) all() []*seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*seen(nil), r.calls...)
}

type callKey struct{}

// middleware records its name around the call, and what the inner one
// sees as the function's error.
func (r *recorder) middleware(name string) core.Middleware {
	return func(next core.EventFunc) core.EventFunc {
		return func(ctx context.Context, e core.Event) (*core.Event, error) {
			s, ok := ctx.Value(callKey{}).(*seen)
			if !ok {
				s = &seen{event: e}
				ctx = context.WithValue(ctx, callKey{}, s)
			}
			s.trace = append(s.trace, name+">")
			reply, err := next(ctx, e)
			s.trace = append(s.trace, "<"+name)
			if name == "inner" {
				s.innerErr = err
			}
			return reply, err
		}
	}
}

// handler is the suite's event function: it records the call, then
// fails, panics, waits or replies as the event's data asks.
func (r *recorder) handler(name string) core.EventFunc {
	return func(ctx context.Context, e core.Event) (*core.Event, error) {
		s, ok := ctx.Value(callKey{}).(*seen)
		if !ok {
			return nil, errors.New("adaptertest: the App's middleware did not run")
		}
		s.fn, s.event, s.inv = name, e.Clone(), core.InvocationFrom(ctx)
		s.ctxDeadline, _ = ctx.Deadline()
		s.trace = append(s.trace, "fn")
		o, err := core.Decode[order](e)
		s.order = o
		r.mu.Lock()
		r.calls = append(r.calls, s)
		r.byID[e.ID()] = s
		r.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if o.Wait {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		switch o.Fail {
		case "permanent":
			return nil, core.Permanentf("asked to fail for good")
		case "retryable":
			return nil, errors.New("asked to fail for now")
		case "panic":
			panic("asked to panic")
		}
		if !o.Reply {
			return nil, nil
		}
		reply := core.NewEvent("re-"+e.ID(), "/adaptertest", "com.example.adaptertest.reply", "application/json", []byte(`{"ok":true}`))
		return &reply, nil
	}
}

// webAnswer is what the suite's HTTP functions answer, as JSON.
type webAnswer struct {
	Function string `json:"function"`
	Provider string `json:"provider"`
	HasID    bool   `json:"hasInvocationID"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query"`
	Body     string `json:"body"`
	ItemID   string `json:"itemID,omitempty"`
}

func web(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/panic") {
		panic("asked to panic")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv := core.InvocationFrom(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(webAnswer{
		Function: inv.Function, Provider: inv.Provider, HasID: inv.ID != "",
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body), ItemID: r.PathValue("id"),
	})
}

// httpTrace adds its name to the X-Trace response header.
func httpTrace(name string) core.HTTPMiddleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Trace", name)
			next.ServeHTTP(w, r)
		})
	}
}

// newApp returns the suite's App, recording into rec.
func newApp(rec *recorder) *core.App {
	app := core.NewApp()
	app.Use(rec.middleware("outer"), rec.middleware("inner"))
	app.UseHTTP(httpTrace("outer"), httpTrace("inner"))
	core.Must(app.Event(fnEvents, rec.handler(fnEvents), core.OnQueue("orders")))
	core.Must(app.Event(fnStream, rec.handler(fnStream), core.OnStream("changes"), core.WithBatchConcurrency(4)))
	core.Must(app.Event(fnSlow, rec.handler(fnSlow), core.OnQueue("slow"), core.WithTimeout(slowTimeout)))
	core.Must(app.HTTP(fnWeb, http.HandlerFunc(web), core.OnHTTP("/web/")))
	core.Must(app.HTTP(fnItem, http.HandlerFunc(web), core.OnHTTP("/items/{id}", "GET")))
	return app
}

// newEvent returns the suite's CloudEvent with data d.
func newEvent(id string, d order) core.Event {
	data, _ := json.Marshal(d)
	e := core.NewEvent(id, "/adaptertest/"+id, "com.example.adaptertest", "application/json", data)
	e.SetSubject("orders/" + id)
	e.SetTime(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	e.SetExtension("tenant", "acme")
	e.SetExtension(core.KindExtension, string(core.KindBusEvent))
	return e
}

func records(n int, key func(i int) string, d func(i int) order) []Record {
	recs := make([]Record, n)
	for i := range recs {
		o := d(i)
		o.Seq = i
		data, _ := json.Marshal(o)
		recs[i] = Record{ID: fmt.Sprintf("m-%d", i), Key: key(i), Data: data}
	}
	return recs
}
