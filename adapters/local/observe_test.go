package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
)

// POST /fulfil with a traceparent: the function's log line names fulfil
// and that trace, and its reply carries the trace onward.
func TestTraceparentInLogs(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	var buf bytes.Buffer
	app := core.NewApp()
	core.Must(app.Event("fulfil", func(ctx context.Context, e core.Event) (*core.Event, error) {
		core.InvocationFrom(ctx).Logger.InfoContext(ctx, "fulfilled", "order", "o-1")
		r := core.NewEvent("r-1", "/fulfil", "com.example.fulfilled", "", nil)
		return &r, nil
	}))
	h, err := local.Handler(app, local.WithLogger(slog.New(invoke.NewLogHandler(&buf, slogx.Options{}))))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/fulfil", strings.NewReader(`{}`))
	for k, v := range map[string]string{"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": "e-1",
		"Ce-Source": "/orders", "Ce-Type": "com.example.order", "Traceparent": tp, "X-Request-Id": "req-7"} {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if got := w.Header().Get("Ce-Traceparent"); got != tp {
		t.Errorf("reply traceparent %q, want %q", got, tp)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	want := map[string]any{"level": "INFO", "msg": "fulfilled", "function": "fulfil", "event_id": "e-1", "event_type": "com.example.order",
		"event_source": "/orders", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7", "order": "o-1", "cold_start": true}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v in %s", k, line[k], v, buf.String())
		}
	}
	if id, _ := line["invocation_id"].(string); id == "" {
		t.Errorf("no invocation_id in %s", buf.String())
	}
}
