package cloudflare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// Provider is the provider name functions see in core.InvocationFrom.
const Provider = "cloudflare"

// MemoryLimit is the Go heap's soft limit on Workers unless GOMEMLIMIT
// sets one: under the 128 MB of a Worker's isolate, with room for the wasm
// module, the shim and the JavaScript heap.
const MemoryLimit = 96 << 20

// Config configures a Handler; the zero value of each field is the local
// adapter's default.
type Config struct {
	// Logger receives failure lines; nil discards them.
	Logger *slog.Logger
	// Function names the event function served at POST / (see
	// local.WithFunction).
	Function string
	// MaxBodyBytes, MaxBatchEvents and ExposeErrors are the runtime's
	// bounds and error details (invoke.Env).
	MaxBodyBytes   int64
	MaxBatchEvents int
	ExposeErrors   bool
}

// A Handler runs an App's functions on what worker.mjs hands the Go
// program: a fetch request (Fetch), a Cron Trigger tick (Scheduled), a
// queue batch (Queue). It holds no JavaScript value, so that tests run it
// on any platform; the js/wasm build exports it to worker.mjs (Serve).
type Handler struct {
	http      http.Handler
	rt        *invoke.Runtime
	schedules []schedule
	queues    map[string]*invoke.Function
	root      *invoke.Function // the function POST / serves, for queues no function declares
}

// schedule is one function's schedule trigger.
type schedule struct {
	fn      *invoke.Function
	raw, cf string // the declared cron and its Cron Trigger form ("" when it has none)
}

// NewHandler binds app's functions. The App's middleware must all be
// added. It fails when the App's routes collide, Config.Function names no
// event function, or two functions consume one queue.
func NewHandler(app *core.App, c Config) (*Handler, error) {
	h, err := local.Handler(app, local.WithProvider(Provider), local.WithLogger(c.Logger), local.WithFunction(c.Function),
		local.WithMaxBodyBytes(c.MaxBodyBytes), local.WithMaxBatchEvents(c.MaxBatchEvents), local.WithErrorDetails(c.ExposeErrors))
	if err != nil {
		return nil, fmt.Errorf("cloudflare: %w", err)
	}
	root, _ := app.Select(c.Function, core.EventFunction) // checked by local.Handler
	b := &Handler{http: h, queues: map[string]*invoke.Function{},
		rt: invoke.New(invoke.Config{Provider: Provider, Logger: c.Logger, MaxBodyBytes: c.MaxBodyBytes, ExposeErrors: c.ExposeErrors})}
	for _, f := range app.Functions() {
		if f.Kind != core.EventFunction {
			continue
		}
		fn := b.rt.Function(f)
		if f == root {
			b.root = fn
		}
		for _, t := range f.Triggers {
			switch t.Kind {
			case core.TriggerSchedule:
				cf, _ := pcf.Cron(t) // a zone other than UTC has no Cron Trigger form: only its declared cron matches
				b.schedules = append(b.schedules, schedule{fn: fn, raw: t.Cron, cf: cf})
			case core.TriggerQueue:
				if other, ok := b.queues[t.Name]; ok {
					return nil, fmt.Errorf("cloudflare: functions %s and %s both consume queue %s", other.Name(), f.Name, t.Name)
				}
				b.queues[t.Name] = fn
			}
		}
	}
	return b, nil
}

// ServeHTTP serves r as the local adapter does.
func (b *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.http.ServeHTTP(w, r) }

// Fetch serves one request as worker.mjs describes it: head is
// "METHOD\nURL\n" then one "name:value\n" line per header, body the whole
// body (nil for none). It returns the answer's status, header lines in the
// same form, and body.
func (b *Handler) Fetch(head string, body []byte) (int, string, []byte) {
	r, err := parseHead(head, body)
	if err != nil {
		b.rt.LogRejected(context.Background(), "", err, slog.Int("status", http.StatusBadRequest))
		return http.StatusBadRequest, "content-type:text/plain; charset=utf-8\n", []byte("bad request\n")
	}
	w := &recorder{header: http.Header{}}
	b.http.ServeHTTP(w, r)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var lines strings.Builder
	lines.Grow(256) // an answer's header lines usually fit: one allocation, not one per doubling
	for k, vs := range w.header {
		for _, v := range vs {
			lines.WriteString(k)
			lines.WriteByte(':')
			lines.WriteString(v)
			lines.WriteByte('\n')
		}
	}
	return w.status, lines.String(), w.body.Bytes()
}

// recorder is the http.ResponseWriter of one request: the whole answer,
// kept for worker.mjs (Workers get no streamed answer from Go).
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Scheduled runs a Cron Trigger's tick: every function scheduled on cron
// (its declared cron, or that cron's Cron Trigger form; see pcf.Cron)
// runs once with a core.KindScheduleFired event for the scheduled time,
// in milliseconds since the epoch. It fails when one of them fails or none
// is scheduled on cron; the error says how many, not why (that is logged).
func (b *Handler) Scheduled(ctx context.Context, cron string, scheduledMillis float64) error {
	ran, failed := 0, 0
	for _, s := range b.schedules {
		if cron != s.raw && (s.cf == "" || cron != s.cf) {
			continue
		}
		ran++
		e, err := pcf.ScheduleEvent(s.fn.Name(), cron, scheduledMillis)
		if err != nil {
			s.fn.LogRejected(ctx, "", err)
			failed++
			continue
		}
		ictx, cancel := s.fn.Begin(ctx, invoke.Start{Trigger: core.TriggerSchedule})
		res := s.fn.Event(ictx, e)
		cancel()
		if res.Err != nil {
			failed++
		}
	}
	switch {
	case ran == 0:
		err := fmt.Errorf("cloudflare: no function is scheduled on cron %q", cron)
		b.rt.LogRejected(ctx, "", err)
		return err
	case failed > 0:
		return fmt.Errorf("cloudflare: %d of %d functions scheduled on cron %q failed", failed, ran, cron)
	}
	return nil
}

// Queue runs a queue batch (pcf.QueueBatch as JSON) through the function
// whose core.OnQueue names its queue (else the function POST / serves:
// the App's only event function, or Config.Function's), and returns the verdict
// (pcf.QueueVerdict as JSON): ack for each record that succeeded, retry for
// every other. A batch that does not decode, or of a queue no function
// consumes, is an error: worker.mjs then fails the handler and Cloudflare
// retries every message.
func (b *Handler) Queue(ctx context.Context, batch []byte) ([]byte, error) {
	qb, evs, err := pcf.DecodeQueue(batch)
	if err != nil {
		b.rt.LogRejected(ctx, "", err)
		return nil, errors.New("cloudflare: the queue batch does not decode")
	}
	fn, ok := b.queues[qb.Queue]
	if !ok {
		fn, ok = b.root, b.root != nil
	}
	if !ok {
		err := fmt.Errorf("cloudflare: no function consumes queue %q", qb.Queue)
		b.rt.LogRejected(ctx, "", err)
		return nil, err
	}
	ictx, cancel := fn.Begin(ctx, invoke.Start{Trigger: core.TriggerQueue})
	defer cancel()
	res := fn.Batch(ictx, evs, driver.BatchOptions{})
	if len(res.Failed()) > 0 {
		fn.Logger().LogAttrs(ictx, slog.LevelWarn, "queue batch partly failed", slog.String("queue", qb.Queue),
			slog.String("summary", invoke.Summary(res, "messages")))
	}
	return pcf.EncodeQueue(len(evs), res), nil
}
