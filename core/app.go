package core

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/polyfn/polyfn/internal/opaque"
)

// FunctionKind says how a function is called.
type FunctionKind int

const (
	// EventFunction is a function called with a CloudEvent.
	EventFunction FunctionKind = iota + 1
	// HTTPFunction is a net/http.Handler.
	HTTPFunction
)

// String returns "event" or "http".
func (k FunctionKind) String() string {
	switch k {
	case EventFunction:
		return "event"
	case HTTPFunction:
		return "http"
	}
	return "unknown"
}

// A FunctionOption configures a function at registration: a Trigger, or one
// of the With... options.
type FunctionOption interface{ applyFunction(*Function) }

type optionFunc func(*Function)

func (o optionFunc) applyFunction(f *Function) { o(f) }

// WithTimeout sets the function's timeout, used by manifests and by the
// adapters where the platform does not say. The default, 0, leaves the
// platform's own.
func WithTimeout(d time.Duration) FunctionOption {
	return optionFunc(func(f *Function) { f.Timeout = d })
}

// WithBatchConcurrency lets a batch invocation handle up to n records at once
// while records that share a partition key still run in order. The default,
// 1, handles records one after another.
func WithBatchConcurrency(n int) FunctionOption {
	return optionFunc(func(f *Function) { f.BatchConcurrency = n })
}

// A Function is one named function of an App. Its exported fields describe it
// for adapters and manifest generators; treat them as read-only.
type Function struct {
	Name     string
	Kind     FunctionKind
	Triggers []Trigger
	// Timeout is the declared timeout; 0 means the platform's default.
	Timeout time.Duration
	// BatchConcurrency bounds records handled at once in a batch; 0 or 1
	// means one at a time.
	BatchConcurrency int
	// Deploy holds the cost, rollout and access knobs manifests read
	// (WithMemory, WithArchitecture, WithInstances, WithRollout, Public).
	Deploy Deployment
	// Uses lists the resources the function uses and its rights on each
	// (Uses); manifests create them and grant exactly these rights.
	Uses []Use

	app     opaque.Box[*App]
	event   opaque.Box[EventFunc]
	handler http.Handler
}

// EventFunc returns the function's handler wrapped in the App's middleware
// and panic recovery, or nil for an HTTP function. A panic becomes a
// *PanicError result that middleware sees like any error. Adapters call it once at
// start-up: middleware added to the App later is not seen.
func (f *Function) EventFunc() EventFunc {
	fn, app := opaque.Get(f.event), opaque.Get(f.app)
	if fn == nil {
		return nil
	}
	// The inner recovery lets middleware see a handler's panic as an error;
	// the outer one catches panics in middleware itself.
	mw := opaque.Get(app.mw)
	if len(mw) == 0 {
		return recoverEvent(fn)
	}
	return recoverEvent(chain(recoverEvent(fn), mw))
}

// HTTPHandler returns the function's handler wrapped in the App's HTTP
// middleware, or nil for an event function. It does not recover panics:
// the adapter serving it does, so that it can log them and answer 500 in
// its platform's terms.
func (f *Function) HTTPHandler() http.Handler {
	if f.handler == nil {
		return nil
	}
	return chainHTTP(f.handler, opaque.Get(f.app).httpMW)
}

// Trigger returns the function's first trigger of kind k.
func (f *Function) Trigger(k TriggerKind) (Trigger, bool) {
	for _, t := range f.Triggers {
		if t.Kind == k {
			return t, true
		}
	}
	return Trigger{}, false
}

// An App is a set of named functions with their triggers and the middleware
// they share. Register functions before handing the App to an adapter; an App
// must not be changed while an adapter runs it.
type App struct {
	funcs  []*Function
	byName map[string]*Function
	mw     opaque.Box[[]Middleware]
	httpMW []HTTPMiddleware
	life   lifecycle // settings and hooks (lifecycle.go)

	guardMu sync.Mutex
	guards  []HTTPMiddleware // event guards (guard.go)
}

// NewApp returns an empty App.
func NewApp() *App { return &App{byName: map[string]*Function{}} }

// ErrInvalidFunction is wrapped by every registration error.
var ErrInvalidFunction = errors.New("invalid function")

// validName reports whether name starts with a letter and holds at most 63
// letters, digits, '-' and '_'.
func validName(name string) bool {
	if len(name) == 0 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_')) {
			return false
		}
	}
	return true
}

// Event registers an event function. It returns an error that names the
// problem when the name is empty, malformed or taken, fn is nil, or a trigger
// is invalid or does not fit an event function (HTTP routes belong to HTTP
// functions).
func (a *App) Event(name string, fn EventFunc, opts ...FunctionOption) error {
	if fn == nil {
		return fmt.Errorf("polyfn: event function %q: %w: nil EventFunc", name, ErrInvalidFunction)
	}
	return a.add(&Function{Name: name, Kind: EventFunction, event: opaque.Of(fn)}, opts)
}

// HTTP registers an HTTP function. Without an OnHTTP trigger it is served at
// "/" + name. It returns an error that names the problem when the name is
// empty, malformed or taken, h is nil, or a trigger is not OnHTTP.
func (a *App) HTTP(name string, h http.Handler, opts ...FunctionOption) error {
	if h == nil {
		return fmt.Errorf("polyfn: http function %q: %w: nil http.Handler", name, ErrInvalidFunction)
	}
	return a.add(&Function{Name: name, Kind: HTTPFunction, handler: h}, opts)
}

func (a *App) add(f *Function, opts []FunctionOption) error {
	for _, o := range opts {
		if o != nil {
			o.applyFunction(f)
		}
	}
	if err := a.check(f); err != nil {
		return fmt.Errorf("polyfn: %s function %q: %w: %w", f.Kind, f.Name, ErrInvalidFunction, err)
	}
	if f.Kind == HTTPFunction && len(f.Triggers) == 0 {
		f.Triggers = []Trigger{OnHTTP("/" + f.Name)}
	}
	f.app = opaque.Of(a)
	a.funcs = append(a.funcs, f)
	a.byName[f.Name] = f
	return nil
}

func (a *App) check(f *Function) error {
	switch {
	case f.Name == "":
		return errors.New("empty name")
	case !validName(f.Name):
		return errors.New("name must start with a letter and hold at most 63 letters, digits, '-' or '_'")
	case a.byName[f.Name] != nil:
		return errors.New("name already registered")
	case f.Timeout < 0:
		return fmt.Errorf("negative timeout %s", f.Timeout)
	case f.BatchConcurrency < 0:
		return fmt.Errorf("negative batch concurrency %d", f.BatchConcurrency)
	case f.Deploy.check(f.Kind) != nil:
		return f.Deploy.check(f.Kind)
	}
	if err := a.checkUses(f); err != nil {
		return err
	}
	for _, t := range f.Triggers {
		if err := t.validate(); err != nil {
			return err
		}
		if (f.Kind == HTTPFunction) != (t.Kind == TriggerHTTP) {
			if f.Kind == HTTPFunction {
				return fmt.Errorf("trigger %s does not fit an http function; register it with App.Event", t)
			}
			return fmt.Errorf("trigger %s does not fit an event function; register it with App.HTTP", t)
		}
		if t.Kind == TriggerHTTP {
			if err := a.checkRoute(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRoute rejects a route+method another function already serves.
func (a *App) checkRoute(t Trigger) error {
	overlaps := func(x, y []string) bool {
		if len(x) == 0 || len(y) == 0 {
			return true
		}
		for _, m := range x {
			for _, n := range y {
				if m == n {
					return true
				}
			}
		}
		return false
	}
	for _, g := range a.funcs {
		for _, u := range g.Triggers {
			if u.Kind == TriggerHTTP && u.Route == t.Route && overlaps(u.Methods, t.Methods) {
				return fmt.Errorf("http route %s is already served by function %q", t.Route, g.Name)
			}
		}
	}
	return nil
}

// Use appends middleware for every event function. mws[0] runs first.
func (a *App) Use(mws ...Middleware) { a.mw = opaque.Of(append(opaque.Get(a.mw), mws...)) }

// UseHTTP appends middleware for every HTTP function. mws[0] runs first.
func (a *App) UseHTTP(mws ...HTTPMiddleware) { a.httpMW = append(a.httpMW, mws...) }

// Functions returns the App's functions in registration order.
func (a *App) Functions() []*Function { return append([]*Function(nil), a.funcs...) }

// Function returns the function registered under name.
func (a *App) Function(name string) (*Function, bool) {
	f, ok := a.byName[name]
	return f, ok
}

// Select returns the function an adapter or a build tool should serve: the
// one registered under name, or, when name is empty, the App's only function
// of kind k (0 for any kind). It checks the function's kind against k too.
// Its errors wrap ErrNoFunction and name what the App has.
func (a *App) Select(name string, k FunctionKind) (*Function, error) {
	what := "function"
	if k != 0 {
		what = k.String() + " function"
	}
	if name != "" {
		f, ok := a.byName[name]
		if !ok {
			return nil, fmt.Errorf("%w: no function %q in the app (it has %s)", ErrNoFunction, name, a.listNames())
		}
		if k != 0 && f.Kind != k {
			return nil, fmt.Errorf("%w: function %q is an %s function, not an %s", ErrNoFunction, name, f.Kind, what)
		}
		return f, nil
	}
	var found []*Function
	for _, f := range a.funcs {
		if k == 0 || f.Kind == k {
			found = append(found, f)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("%w: the app has no %s", ErrNoFunction, what)
	}
	return nil, fmt.Errorf("%w: the app has %d %ss (%s): name the one to serve", ErrNoFunction, len(found), what, a.listNames())
}

// ErrNoFunction is wrapped by the errors of App.Select.
var ErrNoFunction = errors.New("polyfn: no function selected")

func (a *App) listNames() string {
	names := a.Names()
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Names returns the names of the functions, sorted.
func (a *App) Names() []string {
	names := make([]string, 0, len(a.funcs))
	for _, f := range a.funcs {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names
}

// Must panics if err is not nil. It shortens registration in main:
//
//	core.Must(app.Event("orders", handleOrder, core.OnQueue("orders")))
func Must(err error) {
	if err != nil {
		panic(err)
	}
}
