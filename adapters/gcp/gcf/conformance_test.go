package gcf

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// TestConformance runs the conformance suite over the source-deploy path:
// each App is registered with RegisterWith, and functions-framework-go's
// own server serves it (its CloudEvents SDK receive handler for event
// functions, its HTTP wrapper for HTTP functions).
func TestConformance(t *testing.T) { adaptertest.Run(t, newSourceHarness) }

// suite is the App the suite's checks currently serve: functions-framework-go
// has one process-wide registry, which cannot take the same names twice,
// so its server reaches every App through trampolines registered once.
type suite struct {
	events map[string]func(context.Context, event.Event) error
	http   map[string]func(http.ResponseWriter, *http.Request)
	front  *http.ServeMux // the App's routes, as the platform's front end
}

var (
	current     atomic.Pointer[suite]
	suiteOnce   sync.Once
	suiteURL    string
	suiteErr    error
	trampolines = map[string]bool{} // event functions the server reaches
)

// suitePrefix keeps the trampolines' names apart from those ffServer
// registers.
const suitePrefix = "suite-"

// HTTP records an HTTP function behind the App's front end, at its routes.
func (s *suite) HTTP(name string, fn func(http.ResponseWriter, *http.Request)) {
	s.http[name] = fn
}

// CloudEvent records an event function for its trampoline.
func (s *suite) CloudEvent(name string, fn func(context.Context, event.Event) error) {
	s.events[name] = fn
}

func newSourceHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	s := &suite{
		events: map[string]func(context.Context, event.Event) error{},
		http:   map[string]func(http.ResponseWriter, *http.Request){},
		front:  http.NewServeMux(),
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := RegisterWith(s, app, gcp.WithMaxBodyBytes(opts.MaxBodyBytes), gcp.WithLogger(logger)); err != nil {
		t.Fatal(err)
	}
	for _, f := range app.Functions() {
		if fn, ok := s.http[f.Name]; ok {
			if err := invoke.Route(s.front, f, http.HandlerFunc(fn)); err != nil {
				t.Fatal(err)
			}
		}
	}
	base := suiteServer(t, app)
	current.Store(s)
	t.Cleanup(func() { current.CompareAndSwap(s, nil) })
	return gcptest.New(app, gcptest.Target{
		URL:  base,
		Path: func(fn string) string { return "/" + suitePrefix + fn },
		// functions-framework-go's CloudEvent functions carry no reply, and
		// it reads event bodies without a limit of polyfn's.
		Features: adaptertest.Features{Provider: "gcp", TellsPermanent: true},
	})
}

// suiteServer registers the trampolines of app's event functions, and one
// for every HTTP path, with functions-framework-go, then serves them with
// funcframework.StartHostPort, as the buildpack's main does but without
// FUNCTION_TARGET: every event function at its own path. The first App
// fixes the names; the server cannot be stopped and serves the test
// binary's later Apps too.
func suiteServer(t *testing.T, app *core.App) string {
	t.Helper()
	suiteOnce.Do(func() {
		if os.Getenv("FUNCTION_TARGET") != "" {
			suiteErr = errors.New("FUNCTION_TARGET is set in the test environment")
			return
		}
		for _, f := range app.Functions() {
			if f.Kind != core.EventFunction {
				continue
			}
			name := f.Name
			trampolines[name] = true
			functions.CloudEvent(suitePrefix+name, func(ctx context.Context, e event.Event) error {
				s := current.Load()
				if s == nil || s.events[name] == nil {
					return errors.New("no App serves " + name)
				}
				return s.events[name](ctx, e)
			})
		}
		// The platform's front end routes each HTTP function's paths to its
		// deployment, which serves its target at every path.
		suiteErr = funcframework.RegisterHTTPFunctionContext(context.Background(), "/", func(w http.ResponseWriter, r *http.Request) {
			if s := current.Load(); s != nil {
				s.front.ServeHTTP(w, r)
				return
			}
			http.NotFound(w, r)
		})
		if suiteErr != nil {
			return
		}
		suiteURL, suiteErr = startFF()
	})
	if suiteErr != nil {
		t.Fatal(suiteErr)
	}
	for _, f := range app.Functions() {
		if f.Kind == core.EventFunction && !trampolines[f.Name] {
			t.Fatalf("event function %q is not served: the first App had no such function", f.Name)
		}
	}
	return suiteURL
}

// startFF starts functions-framework-go's server on a free loopback port
// and waits until it accepts connections.
func startFF() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	go func() { _ = funcframework.StartHostPort("127.0.0.1", port) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			c.Close()
			return "http://127.0.0.1:" + port, nil
		}
		if time.Now().After(deadline) {
			return "", err
		}
	}
}
