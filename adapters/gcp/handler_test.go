package gcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

// recorder is an event function that remembers what it saw.
type recorder struct {
	mu     sync.Mutex
	events []core.Event
	invs   []core.Invocation
	ctxErr func(ctx context.Context) error
}

func (r *recorder) handle(ctx context.Context, e core.Event) (*core.Event, error) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.invs = append(r.invs, core.InvocationFrom(ctx))
	r.mu.Unlock()
	switch e.ID() {
	case "fail":
		return nil, errors.New("boom")
	case "permanent":
		return nil, core.Permanentf("bad input")
	case "panic":
		panic("kaboom")
	case "reply":
		reply := e.Clone()
		reply.SetID("r-1")
		return &reply, nil
	case "deadline":
		if _, ok := ctx.Deadline(); !ok {
			return nil, errors.New("no deadline")
		}
	}
	return nil, nil
}

func (r *recorder) last(t *testing.T) (core.Event, core.Invocation) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		t.Fatal("the function was not called")
	}
	return r.events[len(r.events)-1], r.invs[len(r.invs)-1]
}

func testApp(t *testing.T, rec *recorder) *core.App {
	app := core.NewApp()
	core.Must(app.Event("ev", rec.handle, core.OnTopic("t"), core.WithTimeout(time.Minute)))
	core.Must(app.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("panic") == "1" {
			panic("http kaboom")
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Path", r.URL.Path)
		w.Header().Set("X-Fn", core.InvocationFrom(r.Context()).Function+"/"+core.InvocationFrom(r.Context()).ID)
		_, _ = w.Write(body)
	}), core.OnHTTP("/web/")))
	return app
}

func binaryHeaders(id string) map[string]string {
	return map[string]string{
		"Ce-Specversion": "1.0", "Ce-Id": id, "Ce-Type": "google.cloud.pubsub.topic.v1.messagePublished",
		"Ce-Source": "//pubsub.googleapis.com/projects/p/topics/t", "Content-Type": "application/json",
	}
}

const pubsubBody = `{"message":{"data":"aGk=","messageId":"1","orderingKey":"k"},"subscription":"projects/p/subscriptions/s"}`

func TestHandler(t *testing.T) {
	tests := []struct {
		name        string
		opts        []Option
		method      string
		path        string
		header      map[string]string
		body        string
		wantStatus  int
		wantBody    string // substring
		wantNotBody string // a substring the answer must not hold
		wantCT      string // Content-Type of the answer, when it matters
		wantID      string // the event the function saw; "" when not called
		wantInvID   string // the invocation id; "" for a generated one
	}{
		{name: "binary", path: "/ev", header: binaryHeaders("ok"), body: pubsubBody, wantStatus: 204, wantID: "ok"},
		{name: "target serves every path", opts: []Option{WithTarget("ev")}, path: "/any/path?x=1", header: binaryHeaders("ok2"), body: pubsubBody, wantStatus: 204, wantID: "ok2"},
		{name: "execution id", path: "/ev", header: with(binaryHeaders("ok3"), "Function-Execution-Id", "exec-9"), body: pubsubBody, wantStatus: 204, wantID: "ok3", wantInvID: "exec-9"},
		{name: "trace id", path: "/ev", header: with(binaryHeaders("ok4"), "X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1;o=1"), body: pubsubBody, wantStatus: 204, wantID: "ok4", wantInvID: "105445aa7843bc8bf206b12000100000"},
		{name: "retryable error", path: "/ev", header: binaryHeaders("fail"), body: pubsubBody, wantStatus: 500, wantBody: `{"error":"the function failed","kind":"retryable","invocation_id":`, wantNotBody: "boom", wantCT: "application/json", wantID: "fail"},
		{name: "error details", opts: []Option{WithErrorDetails(true)}, path: "/ev", header: binaryHeaders("fail"), body: pubsubBody, wantStatus: 500, wantBody: `{"error":"boom","kind":"retryable"`, wantID: "fail"},
		{name: "permanent error reported", path: "/ev", header: binaryHeaders("permanent"), body: pubsubBody, wantStatus: 422, wantBody: `"kind":"permanent"`, wantNotBody: "bad input", wantID: "permanent"},
		{name: "permanent error status option", opts: []Option{WithPermanentErrorStatus(202)}, path: "/ev", header: binaryHeaders("permanent"), body: pubsubBody, wantStatus: 202, wantBody: `"kind":"permanent"`, wantID: "permanent"},
		{name: "panic", path: "/ev", header: binaryHeaders("panic"), body: pubsubBody, wantStatus: 500, wantBody: `{"error":"the function panicked","kind":"retryable"`, wantNotBody: "kaboom", wantID: "panic"},
		{name: "reply", path: "/ev", header: binaryHeaders("reply"), body: pubsubBody, wantStatus: 200, wantBody: pubsubBody, wantCT: "application/json", wantID: "reply"},
		{name: "deadline from timeout", path: "/ev", header: binaryHeaders("deadline"), body: pubsubBody, wantStatus: 204, wantID: "deadline"},
		{name: "invalid binary", path: "/ev", header: map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "x"}, body: "{}", wantStatus: 400, wantBody: "ce-", wantCT: "application/json"},
		{name: "not an event", path: "/ev", header: map[string]string{"Content-Type": "application/json"}, body: `{"a":1}`, wantStatus: 400, wantBody: "unable to extract"},
		{name: "GET without body", method: "GET", path: "/ev", wantStatus: 400, wantBody: "empty body"},
		{name: "batch", path: "/ev", header: map[string]string{"Content-Type": "application/cloudevents-batch+json"}, body: `[]`, wantStatus: 400, wantBody: "batched"},
		{name: "too large", opts: []Option{WithMaxBodyBytes(10)}, path: "/ev", header: binaryHeaders("big"), body: pubsubBody, wantStatus: 413, wantBody: "limit of 10 bytes"},
		{name: "unknown path", path: "/nope", wantStatus: 404},
		{name: "http function", path: "/web/x", body: "raw\x00body", wantStatus: 200, wantBody: "raw\x00body"},
		{name: "http function panics", path: "/web/x?panic=1", wantStatus: 500, wantBody: `{"error":"the function panicked"`, wantCT: "application/json"},
		{name: "http function too large", opts: []Option{WithMaxBodyBytes(3)}, path: "/web/x", body: "four", wantStatus: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			h, err := Handler(testApp(t, rec), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			method := tt.method
			if method == "" {
				method = "POST"
			}
			req := httptest.NewRequest(method, tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", w.Code, tt.wantStatus, w.Body)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("body = %q, want it to contain %q", w.Body, tt.wantBody)
			}
			if tt.wantNotBody != "" && strings.Contains(w.Body.String(), tt.wantNotBody) {
				t.Errorf("body = %q tells the caller %q", w.Body, tt.wantNotBody)
			}
			if ct := w.Header().Get("Content-Type"); tt.wantCT != "" && ct != tt.wantCT {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantCT)
			}
			if tt.wantID == "" {
				if len(rec.events) != 0 {
					t.Errorf("function called with %v", rec.events)
				}
				return
			}
			e, inv := rec.last(t)
			if e.ID() != tt.wantID {
				t.Errorf("event id = %q, want %q", e.ID(), tt.wantID)
			}
			if inv.Provider != "gcp" || inv.Function != "ev" || inv.ID == "" || inv.Trigger != core.TriggerTopic || !inv.ColdStart || inv.Deadline.IsZero() {
				t.Errorf("invocation = %+v", inv)
			}
			if tt.wantInvID != "" && inv.ID != tt.wantInvID {
				t.Errorf("invocation id = %q, want %q", inv.ID, tt.wantInvID)
			}
			if tt.wantInvID == "" && strings.Contains(w.Body.String(), "invocation_id") && !strings.Contains(w.Body.String(), inv.ID) {
				t.Errorf("body = %q, want the invocation id %q", w.Body, inv.ID)
			}
			if k := core.EventKindOf(e); k != core.KindTopicMessage {
				t.Errorf("polyfnkind = %q", k)
			}
			if pk, _ := core.ExtensionString(e, core.PartitionKeyExtension); pk != "k" {
				t.Errorf("partitionkey = %q", pk)
			}
			if tt.name == "reply" && (w.Header().Get("Ce-Id") != "r-1" || w.Header().Get("Ce-Type") != e.Type()) {
				t.Errorf("reply headers %v, want the reply event in binary mode", w.Header())
			}
		})
	}
}

// with returns h with k set to v.
func with(h map[string]string, k, v string) map[string]string {
	h[k] = v
	return h
}

func TestHandlerTraceparent(t *testing.T) {
	rec := &recorder{}
	h, err := Handler(testApp(t, rec), WithTarget("ev"))
	if err != nil {
		t.Fatal(err)
	}
	const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	for _, tt := range []struct {
		name, ceTraceparent, want string
	}{
		{"from the HTTP header", "", tp},
		{"the event's own wins", "00-11111111111111111111111111111111-2222222222222222-01", "00-11111111111111111111111111111111-2222222222222222-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(pubsubBody))
			for k, v := range binaryHeaders("tp") {
				req.Header.Set(k, v)
			}
			req.Header.Set("Traceparent", tp)
			req.Header.Set("Tracestate", "k=v")
			if tt.ceTraceparent != "" {
				req.Header.Set("Ce-Traceparent", tt.ceTraceparent)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			e, _ := rec.last(t)
			if got, _ := core.ExtensionString(e, "traceparent"); got != tt.want {
				t.Errorf("traceparent = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHandlerTargetUnknown(t *testing.T) {
	_, err := Handler(testApp(t, &recorder{}), WithTarget("nope"))
	if err == nil || !strings.Contains(err.Error(), `no matching function found with name "nope"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestHandlerLogs(t *testing.T) {
	var buf bytes.Buffer
	rec := &recorder{}
	h, err := Handler(testApp(t, rec), WithLogger(NewLogger(&buf, "debug")), WithTarget("ev"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"fail", "panic"} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(pubsubBody))
		for k, v := range binaryHeaders(id) {
			req.Header.Set(k, v)
		}
		req.Header.Set("Function-Execution-Id", "exec-"+id)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	req := httptest.NewRequest("POST", "/", strings.NewReader("not json"))
	req.Header.Set("Content-Type", "text/plain")
	h.ServeHTTP(httptest.NewRecorder(), req)
	out := buf.String()
	for _, want := range []string{
		`"severity":"ERROR","logging.googleapis.com/sourceLocation":{"function":"github.com/polyfn/polyfn/internal/invoke.(*Function).LogFailure"`,
		`"message":"function failed","function":"ev","invocation_id":"exec-fail","event_id":"fail"`,
		`"outcome":"retryable","error":"boom"`,
		`"message":"function panicked","function":"ev","invocation_id":"exec-panic"`,
		`"outcome":"panic","error":"panic: kaboom","stack":`,
		`"severity":"WARNING"`,
		`"message":"request rejected","function":"ev","error":"gcp: invalid event: body is not a JSON object: want a CloudEvent (ce- headers or application/cloudevents+json), a legacy event or a Pub/Sub push envelope","status":400`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if l := NewLogger(io.Discard, "warn"); l.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("warn logger enables info")
	}
}

func TestHTTPFunctionInvocation(t *testing.T) {
	h, err := Handler(testApp(t, &recorder{}), WithTarget("web"))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("PUT", "/deep/path", strings.NewReader("x"))
	req.Header.Set("Function-Execution-Id", "exec-1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("X-Path") != "/deep/path" || w.Header().Get("X-Fn") != "web/exec-1" {
		t.Errorf("status %d, headers %v", w.Code, w.Header())
	}
	req = httptest.NewRequest("GET", "/?panic=1", nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 500 || w.Header().Get("X-Google-Status") != "crash" {
		t.Errorf("panic: status %d, headers %v", w.Code, w.Header())
	}
}

// TestTargetPathValues serves an HTTP function with a wildcard route as
// FUNCTION_TARGET, alone (Run) and behind a ServeMux at "/" (as
// functions-framework-go serves its target): both fill in r.PathValue.
func TestTargetPathValues(t *testing.T) {
	app := core.NewApp()
	core.Must(app.HTTP("item", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.PathValue("id"))
	}), core.OnHTTP("/items/{id}", "GET")))
	h, err := Handler(app, WithTarget("item"))
	if err != nil {
		t.Fatal(err)
	}
	front := http.NewServeMux()
	front.Handle("/", h)
	tests := []struct {
		name string
		h    http.Handler
		path string
		want string
	}{
		{"alone", h, "/items/42", "42"},
		{"behind a ServeMux", front, "/items/7", "7"},
		{"another path", front, "/elsewhere", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
			if w.Code != 200 || w.Body.String() != tt.want {
				t.Errorf("GET %s: %d %q, want 200 %q", tt.path, w.Code, w.Body, tt.want)
			}
		})
	}
}
