package testproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Secret is the error text of SecretApp's functions: what an adapter must
// log and never tell its callers by default.
const Secret = "db password hunter2 at 10.0.0.7"

// SecretApp returns an App whose functions fail with Secret in their
// error: event functions "fail" (retryable), "refuse" (permanent), "crash"
// (a panic) and "block", which sends on started, waits for its context to
// end and fails with its cause; and the HTTP function "panicky" at
// /panicky.
func SecretApp(started chan<- struct{}) *core.App {
	app := core.NewApp()
	core.Must(app.Event("fail", func(context.Context, core.Event) (*core.Event, error) { return nil, errors.New(Secret) }))
	core.Must(app.Event("refuse", func(context.Context, core.Event) (*core.Event, error) {
		return nil, core.Permanent(errors.New(Secret))
	}))
	core.Must(app.Event("crash", func(context.Context, core.Event) (*core.Event, error) { panic(Secret) }))
	core.Must(app.Event("block", func(ctx context.Context, e core.Event) (*core.Event, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, fmt.Errorf("%s: %w", Secret, context.Cause(ctx))
	}))
	core.Must(app.HTTP("panicky", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(Secret) }), core.OnHTTP("/panicky")))
	return app
}

// ServeFunc serves app on ln until ctx is done, as an adapter's Serve does.
type ServeFunc func(ctx context.Context, ln net.Listener, app *core.App) error

// DrainBlocked serves SecretApp on a free port with serve, sends one
// request to its function "block" with send (given the server's base URL),
// and once the function runs, cancels serve's context, as SIGTERM does. It
// then checks that the caller got a retryable 500 without the error text,
// that serve returned nil within 2 s (the drain timeout given to serve
// must be shorter), and that logs (read after serve returned) tell of the
// cancellation and its cause.
func DrainBlocked(t *testing.T, serve ServeFunc, send func(base string) (*http.Response, error), logs fmt.Stringer) {
	t.Helper()
	started := make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, SecretApp(started)) }()
	type answer struct {
		status int
		body   string
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := send("http://" + ln.Addr().String())
		if err != nil {
			got <- answer{body: err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp.StatusCode, string(b)}
	}()
	select {
	case <-started:
	case a := <-got:
		t.Fatalf("the function did not run: the caller got %d %s", a.status, a.body)
	case <-time.After(10 * time.Second):
		t.Fatal("the function did not run within 10 s")
	}
	begin := time.Now()
	cancel()
	if a := <-got; a.status != http.StatusInternalServerError || !strings.Contains(a.body, `"kind":"retryable"`) || strings.Contains(a.body, Secret) {
		t.Errorf("the caller got %d %s, want a retryable 500 without the error text", a.status, a.body)
	}
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("shutdown took %s", d)
	}
	for _, want := range []string{"drain deadline reached: cancelling the requests still running", "the drain deadline has passed"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}
