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

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// TestConformance runs the conformance suite over the source-deploy path:
// each App is registered with RegisterWith, and functions-framework-go's
// own server serves it, every function as an HTTP function (its HTTP
// wrapper around polyfn's handler). The path carries what the container
// path carries: the harness's default Features.
func TestConformance(t *testing.T) { adaptertest.Run(t, newSourceHarness) }

// suite is the App the suite's checks currently serve: functions-framework-go
// has one process-wide registry, which cannot take the same names twice,
// so its server reaches every App through trampolines registered once.
type suite struct {
	http  map[string]func(http.ResponseWriter, *http.Request)
	front *http.ServeMux // the App's routes, as the platform's front end
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

// HTTP records a function: an event function for its trampoline, an HTTP
// function behind the App's front end, at its routes.
func (s *suite) HTTP(name string, fn func(http.ResponseWriter, *http.Request)) {
	s.http[name] = fn
}

func newSourceHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	s := &suite{http: map[string]func(http.ResponseWriter, *http.Request){}, front: http.NewServeMux()}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := RegisterWith(s, app, gcp.WithMaxBodyBytes(opts.MaxBodyBytes), gcp.WithLogger(logger)); err != nil {
		t.Fatal(err)
	}
	for _, f := range app.Functions() {
		if fn, ok := s.http[f.Name]; ok && f.Kind == core.HTTPFunction {
			if err := invoke.Route(s.front, f, http.HandlerFunc(fn)); err != nil {
				t.Fatal(err)
			}
		}
	}
	base := suiteServer(t, app)
	current.Store(s)
	t.Cleanup(func() { current.CompareAndSwap(s, nil) })
	return gcptest.New(app, gcptest.Target{URL: base, Path: func(fn string) string { return "/" + suitePrefix + fn }, Header: opts.EventHeader})
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
			functions.HTTP(suitePrefix+name, func(w http.ResponseWriter, r *http.Request) {
				s := current.Load()
				if s == nil || s.http[name] == nil {
					http.Error(w, "no App serves "+name, http.StatusNotFound)
					return
				}
				s.http[name](w, r)
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
