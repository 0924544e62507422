package local

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/syncbuf"
	"github.com/polyfn/polyfn/internal/testproc"
)

// TestErrorTextHidden: by default an HTTP caller learns how the function
// failed and the invocation id, never the error text, which is logged.
func TestErrorTextHidden(t *testing.T) {
	var logs syncbuf.Buffer
	srv := newServer(t, testproc.SecretApp(nil), WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	ce := func(id string) string {
		return `{"specversion":"1.0","id":"` + id + `","source":"/s","type":"t"}`
	}
	tests := []struct {
		name, path, ct, body string
		status               int
		kind                 string
	}{
		{"retryable error", "/fail", "application/json", `{}`, 500, "retryable"},
		{"permanent error", "/refuse", "application/json", `{}`, 422, "permanent"},
		{"panic", "/crash", "application/json", `{}`, 500, "retryable"},
		{"batch", "/fail", "application/cloudevents-batch+json", "[" + ce("a") + "," + ce("b") + "]", 500, "retryable"},
		{"structured", "/refuse", "application/cloudevents+json", ce("c"), 422, "permanent"},
		{"http function panic", "/panicky", "text/plain", "x", 500, "retryable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, srv.URL+tt.path, tt.ct, tt.body, validHeaders)
			if r.status != tt.status || !strings.Contains(string(r.body), `"kind":"`+tt.kind+`"`) || !strings.Contains(string(r.body), `"invocation_id":"`) {
				t.Errorf("answer %d %s, want %d with kind %s and the invocation id", r.status, r.body, tt.status, tt.kind)
			}
			if strings.Contains(string(r.body), testproc.Secret) {
				t.Errorf("the caller sees the error text: %s", r.body)
			}
		})
	}
	if n := strings.Count(logs.String(), testproc.Secret); n < len(tests) {
		t.Errorf("the error text is logged %d times, want at least %d:\n%s", n, len(tests), logs.String())
	}
}

// TestDrainDeadline: a function still running at the drain deadline has
// its context cancelled; its caller gets a retryable 500, and the failure
// and the cancellation are logged.
func TestDrainDeadline(t *testing.T) {
	var logs syncbuf.Buffer
	serve := func(ctx context.Context, ln net.Listener, app *core.App) error {
		return Serve(ctx, ln, app, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithShutdownTimeout(500*time.Millisecond))
	}
	testproc.DrainBlocked(t, serve, func(base string) (*http.Response, error) {
		return http.Post(base+"/block", "application/cloudevents+json", strings.NewReader(`{"specversion":"1.0","id":"b","source":"/s","type":"t"}`))
	}, &logs)
	if want := `"msg":"function failed","function":"block"`; !strings.Contains(logs.String(), want) {
		t.Errorf("logs lack %s:\n%s", want, logs.String())
	}
}

// TestServeLimitsEnv: the server's limits come from the environment, and
// a bad value is an error naming the variable.
func TestServeLimitsEnv(t *testing.T) {
	t.Setenv("POLYFN_IDLE_TIMEOUT", "forever")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := Serve(context.Background(), ln, testproc.SecretApp(nil)); err == nil || !strings.Contains(err.Error(), `POLYFN_IDLE_TIMEOUT="forever"`) {
		t.Fatalf("got %v", err)
	}
	t.Setenv("POLYFN_IDLE_TIMEOUT", "90s")
	t.Setenv("POLYFN_MAX_CONNS", "77")
	if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, ln, testproc.SecretApp(nil), WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithReadTimeout(7*time.Second))
	}()
	waitHealthy(t, "http://"+ln.Addr().String())
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"read_timeout":"7s"`, `"write_timeout":"5m10s"`, `"idle_timeout":"1m30s"`, `"max_conns":77`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the serving line lacks %s:\n%s", want, logs.String())
		}
	}
}
