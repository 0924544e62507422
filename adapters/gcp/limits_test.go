package gcp

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/syncbuf"
	"github.com/polyfn/polyfn/internal/testproc"
)

// TestErrorTextHidden: by default a caller learns how the function failed
// and the invocation id, never the error text, which is logged; on every
// way in (binary, structured, legacy event, Pub/Sub push, HTTP function).
func TestErrorTextHidden(t *testing.T) {
	var logs syncbuf.Buffer
	h, err := Handler(testproc.SecretApp(nil), WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	structured := `{"specversion":"1.0","id":"s","source":"/s","type":"t","data":{}}`
	legacy := `{"context":{"eventId":"l","timestamp":"2026-11-25T10:00:00Z","eventType":"google.pubsub.topic.publish","resource":{"service":"pubsub.googleapis.com","name":"projects/p/topics/t"}},"data":{"data":"aGk="}}`
	tests := []struct {
		name, path, body string
		header           map[string]string
		status           int
	}{
		{"binary", "/fail", pubsubBody, binaryHeaders("b"), 500},
		{"structured", "/fail", structured, map[string]string{"Content-Type": "application/cloudevents+json"}, 500},
		{"legacy event", "/crash", legacy, map[string]string{"Content-Type": "application/json"}, 500},
		{"pubsub push", "/fail", pubsubBody, map[string]string{"Content-Type": "application/json"}, 500},
		{"http function panic", "/panicky", "x", map[string]string{"Content-Type": "text/plain"}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), `"kind":"retryable"`) || !strings.Contains(string(body), `"invocation_id":"`) {
				t.Errorf("answer %d %s, want %d with the kind and the invocation id", resp.StatusCode, body, tt.status)
			}
			if strings.Contains(string(body), testproc.Secret) {
				t.Errorf("the caller sees the error text: %s", body)
			}
		})
	}
	if n := strings.Count(logs.String(), testproc.Secret); n < len(tests) {
		t.Errorf("the error text is logged %d times, want at least %d:\n%s", n, len(tests), logs.String())
	}
}

// TestDrainDeadline: a function still running at the drain deadline has
// its context cancelled; the caller (Eventarc, Pub/Sub push) gets a
// retryable 500 and delivers the event again; the failure and the
// cancellation are logged.
func TestDrainDeadline(t *testing.T) {
	t.Setenv("FUNCTION_TARGET", "")
	var logs syncbuf.Buffer
	serve := func(ctx context.Context, ln net.Listener, app *core.App) error {
		return Serve(ctx, ln, app, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), WithShutdownTimeout(500*time.Millisecond))
	}
	testproc.DrainBlocked(t, serve, func(base string) (*http.Response, error) {
		req, _ := http.NewRequest("POST", base+"/block", strings.NewReader(pubsubBody))
		for k, v := range binaryHeaders("blocked") {
			req.Header.Set(k, v)
		}
		return http.DefaultClient.Do(req)
	}, &logs)
	if want := `"msg":"function failed","function":"block"`; !strings.Contains(logs.String(), want) {
		t.Errorf("logs lack %s:\n%s", want, logs.String())
	}
}

// TestServerLimits: the server's default limits follow the request timeout
// and the functions' own, and options and the environment override them.
func TestServerLimits(t *testing.T) {
	long := core.NewApp()
	core.Must(long.Event("long", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }, core.WithTimeout(2*time.Hour)))
	tests := []struct {
		name      string
		app       *core.App
		opts      []Option
		wantWrite time.Duration
		wantIdle  time.Duration
	}{
		{"no timeout: Cloud Run's longest", testproc.SecretApp(nil), nil, time.Hour + 10*time.Second, 620 * time.Second},
		{"request timeout", testproc.SecretApp(nil), []Option{WithTimeout(5 * time.Minute)}, 5*time.Minute + 10*time.Second, 620 * time.Second},
		{"a function's longer timeout", long, []Option{WithTimeout(5 * time.Minute)}, 2*time.Hour + 10*time.Second, 620 * time.Second},
		{"options", testproc.SecretApp(nil), []Option{WithWriteTimeout(time.Minute), WithIdleTimeout(time.Second)}, time.Minute, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newConfig(tt.opts).serverLimits(tt.app)
			if l.WriteTimeout != tt.wantWrite || l.IdleTimeout != tt.wantIdle {
				t.Errorf("write %s, idle %s; want %s, %s", l.WriteTimeout, l.IdleTimeout, tt.wantWrite, tt.wantIdle)
			}
		})
	}
	t.Setenv("POLYFN_WRITE_TIMEOUT", "soon")
	if _, err := envOptions(); err == nil || !strings.Contains(err.Error(), `POLYFN_WRITE_TIMEOUT="soon"`) {
		t.Errorf("a bad POLYFN_WRITE_TIMEOUT: %v", err)
	}
}
