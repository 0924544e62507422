// Package invoke is the invocation runtime every adapter runs its functions
// through: it builds the invocation context, runs an event function or a
// batch, classifies outcomes, logs failures with one set of keys, and
// serves HTTP functions and CloudEvents over HTTP with one body limit, one
// panic answer and one JSON error shape. Adapters keep only their
// platform's wire: reading its requests and writing its answers.
package invoke

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/opaque"
	"github.com/polyfn/polyfn/internal/slogx"
)

// DefaultMaxBodyBytes is the request body limit when none is set: 10 MiB.
const DefaultMaxBodyBytes = 10 << 20

// Config configures a Runtime. The zero value of each field is a sane
// default.
type Config struct {
	// Provider is the adapter's name, as functions see it in
	// core.Invocation.Provider: "local", "aws", "azure" or "gcp".
	Provider string
	// Logger receives failure lines; nil discards them.
	Logger *slog.Logger
	// Timeout bounds every invocation when the platform's deadline does not
	// arrive in the context (Azure's functionTimeout, Cloud Run's request
	// timeout). A function's own core.WithTimeout applies too: the shorter
	// wins. 0 sets no bound of its own.
	Timeout time.Duration
	// Reserve is kept back from a deadline that the parent context already
	// carries (Lambda's), so that the adapter has time to report records
	// that did not finish. Invocation.Deadline stays the platform's.
	Reserve time.Duration
	// MaxBodyBytes bounds HTTP request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxBatchEvents bounds the events of one CloudEvents batch; a larger
	// batch is refused with 413 before any event is decoded. 0 means
	// DefaultMaxBatchEvents.
	MaxBatchEvents int
	// PermanentStatus is the HTTP status of a permanent failure of an event
	// function served over HTTP; 0 means 422 Unprocessable Entity.
	PermanentStatus int
	// ExposeErrors puts the function's error text in HTTP error answers.
	// By default callers get the outcome and the invocation id, and the
	// text goes to the log only.
	ExposeErrors bool
	// RecordTrace, when set, returns the trace context (a W3C traceparent)
	// an event names in the platform's own terms, for an event without the
	// CloudEvents distributed-tracing extension: an SQS message's
	// AWSTraceHeader. "" means none.
	RecordTrace func(event.EventContext) string
	// PanicHeader is added to the answer of an HTTP function that panicked
	// before writing its header (Cloud Functions' X-Google-Status: crash).
	PanicHeader http.Header
}

// A Runtime runs the functions of one adapter process. It is safe for
// concurrent use.
type Runtime struct {
	cfg  Config
	warm atomic.Bool // set by the first invocation
}

// New returns a Runtime.
func New(c Config) *Runtime {
	if c.Logger == nil {
		c.Logger = slog.New(slogx.Discard)
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBatchEvents <= 0 {
		c.MaxBatchEvents = DefaultMaxBatchEvents
	}
	if c.PermanentStatus == 0 {
		c.PermanentStatus = http.StatusUnprocessableEntity
	}
	return &Runtime{cfg: c}
}

// Provider returns the provider name functions see.
func (rt *Runtime) Provider() string { return rt.cfg.Provider }

// Logger returns the runtime's logger.
func (rt *Runtime) Logger() *slog.Logger { return rt.cfg.Logger }

// MaxBodyBytes returns the HTTP request body limit.
func (rt *Runtime) MaxBodyBytes() int64 { return rt.cfg.MaxBodyBytes }

// A Function is one function of an App bound to a Runtime: its handler
// composed once with the App's middleware, its logger and its timeout.
type Function struct {
	rt      *Runtime
	def     *core.Function
	event   opaque.Box[core.EventFunc]
	http    http.Handler
	routes  []route // the function's own routes with wildcards
	log     *slog.Logger
	timeout time.Duration

	guardedOnce sync.Once
	guarded     http.Handler // ServeGuarded's handler, built on first use
}

// Function binds f to rt. Adapters bind each function once, at start-up,
// after every middleware is added to the App.
func (rt *Runtime) Function(f *core.Function) *Function {
	timeout := rt.cfg.Timeout
	if f.Timeout > 0 && (timeout <= 0 || f.Timeout < timeout) {
		timeout = f.Timeout
	}
	fn := &Function{
		rt:      rt,
		def:     f,
		event:   opaque.Of(f.EventFunc()),
		http:    f.HTTPHandler(),
		log:     rt.cfg.Logger.With("function", f.Name),
		timeout: timeout,
	}
	if fn.http != nil {
		fn.routes = wildRoutes(f)
	}
	return fn
}

// Def returns the function's declaration.
func (fn *Function) Def() *core.Function { return fn.def }

// Name returns the function's name.
func (fn *Function) Name() string { return fn.def.Name }

// Logger returns the function's logger: the runtime's, with its name.
func (fn *Function) Logger() *slog.Logger { return fn.log }

// Start is what the platform said about an invocation when it began.
type Start struct {
	// ID is the platform's invocation id; empty makes Begin generate one.
	ID string
	// Trigger is the kind of trigger; empty lets ServeEvents take it from
	// the first event's portable kind.
	Trigger core.TriggerKind
	// TraceParent and TraceState are the W3C trace context the platform
	// sent, if any.
	TraceParent, TraceState string
}

func noCancel() {}

// Begin returns the context of one invocation of fn: ctx with the
// invocation (core.InvocationFrom) and a deadline, the earlier of ctx's own
// (less the runtime's reserve) and the function's timeout. The caller must
// call the returned cancel function when the invocation ends: it also ends
// the installed Observers' watch (see AddObserver), and drops the log lines
// held back for the invocation when they were not written
// (slogx.Options.BufferLevel).
func (fn *Function) Begin(ctx context.Context, s Start) (context.Context, context.CancelFunc) {
	inv := core.Invocation{
		Function:    fn.def.Name,
		ID:          s.ID,
		Provider:    fn.rt.cfg.Provider,
		Trigger:     s.Trigger,
		ColdStart:   !fn.rt.warm.Load() && !fn.rt.warm.Swap(true), // no write once warm
		TraceParent: s.TraceParent,
		TraceState:  s.TraceState,
		Logger:      fn.log,
	}
	cancel := context.CancelFunc(noCancel)
	dl, has := ctx.Deadline()
	if has {
		inv.Deadline = dl
		if r := fn.rt.cfg.Reserve; r > 0 {
			dl = dl.Add(-r)
		}
	}
	if fn.timeout > 0 {
		if t := time.Now().Add(fn.timeout); !has || t.Before(dl) {
			dl, has = t, true
			inv.Deadline = t
		}
	}
	if cur, ok := ctx.Deadline(); has && (!ok || dl.Before(cur)) {
		ctx, cancel = context.WithDeadline(ctx, dl)
	}
	ctx = driver.WithInvocation(ctx, &inv)
	if o := loadObserver(); o != nil {
		ctx, cancel = observe(o, ctx, cancel)
	}
	if slogx.Buffering() {
		// The lines held back for the invocation go when it ends; an error
		// line (a failure's among them) has written them already.
		end, id := cancel, core.InvocationFrom(ctx).ID
		cancel = func() { end(); slogx.EndInvocation(id) }
	}
	return ctx, cancel
}

// TriggerOf returns the trigger kind that delivers events of portable kind
// k: core.TriggerDirect for an event with no kind, core.TriggerEvent for a
// kind it does not know.
func TriggerOf(k core.EventKind) core.TriggerKind {
	switch k {
	case core.KindHTTPRequest:
		return core.TriggerHTTP
	case core.KindQueueMessage:
		return core.TriggerQueue
	case core.KindTopicMessage:
		return core.TriggerTopic
	case core.KindScheduleFired:
		return core.TriggerSchedule
	case core.KindStreamRecord:
		return core.TriggerStream
	case core.KindStorageObjectCreated, core.KindStorageObjectDeleted:
		return core.TriggerStorage
	case "":
		return core.TriggerDirect
	}
	return core.TriggerEvent
}
