package azure_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	pazure "github.com/polyfn/polyfn/providers/azure"
)

// lockedBuffer is an io.Writer safe for the handler's concurrent logs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type testServer struct {
	*azuretest.Host
	stdout, stderr *lockedBuffer
}

// serve runs app's handler on a real loopback HTTP server.
func serve(t *testing.T, app *core.App, opts ...azure.Option) *testServer {
	t.Helper()
	ts := &testServer{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	h, err := azure.Handler(app, append([]azure.Option{azure.WithOutput(ts.stdout, ts.stderr)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ts.Host = azuretest.New(srv.URL)
	if err := ts.WaitReady(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return ts
}

// logger logs as functions do on Azure: slog with the adapter's handler.
var logger = slog.New(azure.NewLogHandler(io.Discard, io.Discard))

func reply(e core.Event) *core.Event {
	r := event.New()
	r.SetID(e.ID() + ".reply")
	r.SetSource("/test")
	r.SetType("test.reply")
	_ = r.SetData("application/json", map[string]string{"got": e.Type()})
	return &r
}

func testApp(t *testing.T) *core.App {
	app := core.NewApp()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		logger.InfoContext(ctx, "handling order", "id", e.ID())
		var body struct {
			Fail  bool `json:"fail"`
			Panic bool `json:"panic"`
		}
		_ = json.Unmarshal(e.Data(), &body)
		if body.Panic {
			panic("order panic")
		}
		if body.Fail {
			return nil, errors.New("order failed")
		}
		return reply(e), nil
	}, core.OnQueue("orders")))
	must(app.Event("telemetry", func(ctx context.Context, e core.Event) (*core.Event, error) {
		if strings.Contains(string(e.Data()), "bad") {
			return nil, fmt.Errorf("bad reading %s", e.ID())
		}
		return nil, nil
	}, core.OnStream("telemetry")))
	must(app.Event("slow", func(ctx context.Context, e core.Event) (*core.Event, error) {
		select {
		case <-time.After(5 * time.Second):
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}, core.OnQueue("slow"), core.WithTimeout(50*time.Millisecond)))
	must(app.Event("direct", func(ctx context.Context, e core.Event) (*core.Event, error) { return reply(e), nil }))
	must(app.HTTP("api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		inv := core.InvocationFrom(r.Context())
		w.Header().Set("X-Invocation", inv.ID)
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "%s %s id=%s body=%s", r.Method, r.URL.Path, r.PathValue("id"), body)
	}), core.OnHTTP("/orders/{id}")))
	return app
}

func queueMsg(body string) azuretest.Request {
	return azuretest.Queue("msg", azuretest.QueueMessage{ID: "m-1", PopReceipt: "pop", DequeueCount: 1,
		InsertionTime: time.Date(2024, 5, 10, 16, 13, 45, 0, time.UTC), Body: []byte(body)})
}

func TestInvokeSuccess(t *testing.T) {
	ts := serve(t, testApp(t))
	res, err := ts.InvokeID(context.Background(), "orders", "inv-1", queueMsg(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed {
		t.Fatalf("failed: %s", res.Reason)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if len(res.Logs) != 1 || !strings.HasPrefix(res.Logs[0], "INFO handling order id=m-1") {
		t.Errorf("Logs = %q", res.Logs)
	}
	var rv map[string]any
	if err := json.Unmarshal(res.ReturnValue, &rv); err != nil {
		t.Fatalf("ReturnValue %s: %v", res.ReturnValue, err)
	}
	if rv["id"] != "m-1.reply" || rv["type"] != "test.reply" {
		t.Errorf("ReturnValue = %s", res.ReturnValue)
	}
	msgs, trapped := azuretest.Written(res.ReturnValue)
	if trapped || len(msgs) != 1 || !json.Valid(msgs[0]) {
		t.Errorf("the host would write %q (trapped %v)", msgs, trapped)
	}
}

func TestInvokeFailures(t *testing.T) {
	ts := serve(t, testApp(t))
	batch := azuretest.EventHubBatch("events", azuretest.PartitionContext{EventHubName: "telemetry", PartitionId: "1"},
		[]azuretest.EventHubEvent{{SequenceNumber: 1, Body: []byte(`{"v":1}`)}, {SequenceNumber: 2, Body: []byte(`{"v":"bad"}`)}, {SequenceNumber: 3, Body: []byte(`{"v":3}`)}}, "")
	// Failures of the function reach standard error; requests the adapter
	// refuses are warnings, on standard output.
	tests := []struct {
		name, function string
		req            azuretest.Request
		raw            string
		status         int
		stderr, stdout string
		body           string // in the error answer
	}{
		{name: "handler error", function: "orders", req: queueMsg(`{"fail":true}`), status: 500, stderr: "order failed", body: "the function failed"},
		{name: "handler panic", function: "orders", req: queueMsg(`{"panic":true}`), status: 500, stderr: "order panic", body: "the function panicked"},
		{name: "deadline", function: "slow", req: queueMsg(`{}`), status: 500, stderr: "deadline exceeded", body: "did not finish before its deadline"},
		{name: "invalid json", function: "orders", raw: `{"Data":`, status: 400, stdout: "not the host's JSON envelope", body: "not the host's JSON envelope"},
		{name: "missing data", function: "orders", raw: `{"Metadata":{}}`, status: 400, stdout: `missing \"Data\"`, body: `missing "Data"`},
		{name: "unknown function", function: "nope", raw: `{"Data":{}}`, status: 404, stdout: `no function \"nope\" in the app (it has api, direct, orders, slow, telemetry)`},
		{name: "wrong trigger for http function", function: "api", req: queueMsg("x"), status: 400, stdout: "HTTP trigger value"},
		// Record 1 fails and record 2, of the same (empty) partition key,
		// does not run: Event Hubs is an ordered source.
		{name: "batch record fails", function: "telemetry", req: batch, status: 500, stderr: `"index":1`, stdout: `"msg":"record not run"`,
			body: "2 of 3 records failed; Azure has no partial failure, so the whole batch fails"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *azuretest.Result
			var err error
			if tt.raw != "" {
				res, err = ts.Post(context.Background(), tt.function, []byte(tt.raw))
			} else {
				res, err = ts.Invoke(context.Background(), tt.function, tt.req)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !res.Failed || res.Status != tt.status {
				t.Errorf("status %d failed %v, want %d and failed", res.Status, res.Failed, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.stderr != "" && !strings.Contains(ts.stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, ts.stderr.String())
			}
			if tt.stdout != "" && !strings.Contains(ts.stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, ts.stdout.String())
			}
			var body struct {
				Error, Kind  string
				InvocationID string `json:"invocation_id"`
			}
			if err := json.Unmarshal(res.Body, &body); err != nil || body.Error == "" || body.Kind == "" {
				t.Errorf("body %s is not the JSON error shape", res.Body)
			}
			if !strings.Contains(body.Error, tt.body) {
				t.Errorf("error %q lacks %q", body.Error, tt.body)
			}
			if tt.raw == "" && body.InvocationID != res.InvocationID {
				t.Errorf("invocation_id %q, want %q", body.InvocationID, res.InvocationID)
			}
		})
	}
	// The server keeps serving.
	res, err := ts.Invoke(context.Background(), "orders", queueMsg(`{"n":2}`))
	if err != nil || res.Failed {
		t.Fatalf("after failures: %v %+v", err, res)
	}
	// The failed record of the batch was logged with the runtime's keys,
	// and its error text stayed out of the answer.
	for _, want := range []string{`"msg":"function failed","function":"telemetry","invocation_id":`, `"event_id":"1-2"`, `"index":1`, `"error":"bad reading 1-2"`} {
		if !strings.Contains(ts.stderr.String(), want) {
			t.Errorf("stderr lacks %s:\n%s", want, ts.stderr.String())
		}
	}
}

// TestInvocationIDOnce: the runtime's failure line carries invocation_id,
// and the log handler does not add it a second time.
func TestInvocationIDOnce(t *testing.T) {
	ts := serve(t, testApp(t))
	res, err := ts.InvokeID(context.Background(), "orders", "inv-once", queueMsg(`{"fail":true}`))
	if err != nil || !res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	for _, line := range strings.Split(strings.TrimSpace(ts.stderr.String()), "\n") {
		if n := strings.Count(line, `"invocation_id"`); n != 1 {
			t.Errorf("%d invocation_id keys in %s", n, line)
		}
		if !strings.Contains(line, `"invocation_id":"inv-once"`) {
			t.Errorf("line without the invocation's id: %s", line)
		}
	}
}

// TestErrorDetails: WithErrorDetails puts the function's error text in the
// answer.
func TestErrorDetails(t *testing.T) {
	ts := serve(t, testApp(t), azure.WithErrorDetails(true))
	res, err := ts.Invoke(context.Background(), "orders", queueMsg(`{"fail":true}`))
	if err != nil || !res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if !strings.Contains(string(res.Body), "order failed") {
		t.Errorf("answer %s lacks the error text", res.Body)
	}
}

func TestInvokeHTTPEnvelope(t *testing.T) {
	ts := serve(t, testApp(t))
	r := httptest.NewRequest("PUT", "https://polyfn.azurewebsites.net/orders/42?x=1&x=2", strings.NewReader("hello"))
	r.Header.Set("Content-Type", "text/plain")
	res, err := ts.Invoke(context.Background(), "api", azuretest.HTTP("req", r, map[string]string{"id": "42"}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed {
		t.Fatalf("failed: %s", res.Reason)
	}
	resp, err := res.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || string(resp.Body) != "PUT /orders/42 id=42 body=hello" {
		t.Errorf("caller gets %d %q", resp.StatusCode, resp.Body)
	}
	if got := resp.Header.Get("X-Multi"); got != "a,b" {
		t.Errorf("X-Multi = %q", got)
	}
	if got := resp.Header.Get("X-Invocation"); got != res.InvocationID {
		t.Errorf("X-Invocation = %q, want %q", got, res.InvocationID)
	}
}

func TestInvokeDirectCloudEvent(t *testing.T) {
	ts := serve(t, testApp(t))
	r := httptest.NewRequest("POST", "https://polyfn.azurewebsites.net/direct", strings.NewReader(`{"a":1}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Ce-Specversion", "1.0")
	r.Header.Set("Ce-Id", "d-1")
	r.Header.Set("Ce-Source", "/client")
	r.Header.Set("Ce-Type", "com.example.direct")
	res, err := ts.Invoke(context.Background(), "direct", azuretest.HTTP("req", r, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := res.HTTP()
	if err != nil || res.Failed {
		t.Fatalf("%v %s", err, res.Reason)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Ce-Id") != "d-1.reply" || !strings.Contains(string(resp.Body), "com.example.direct") {
		t.Errorf("caller gets %d %v %s", resp.StatusCode, resp.Header, resp.Body)
	}
}

func TestForwarding(t *testing.T) {
	app := core.NewApp()
	if err := app.HTTP("hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprintf(w, "%s %s %s %t", r.Method, r.URL.RequestURI(), body, core.InvocationFrom(r.Context()).ID != "")
	}), core.OnHTTP("/hello/{name}")); err != nil {
		t.Fatal(err)
	}
	if !pazure.Forwarding(app) {
		t.Fatal("an HTTP-only app should be forwarded")
	}
	ts := serve(t, app)
	r := httptest.NewRequest("POST", "/hello/world?q=1", strings.NewReader("payload"))
	resp, err := ts.Forward(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || string(body) != "POST /hello/world?q=1 payload true" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if n := len(resp.Header.Values("Set-Cookie")); n != 2 {
		t.Errorf("%d Set-Cookie headers, want 2", n)
	}
	// An envelope POST to /{name} is not served in forwarding mode.
	res, err := ts.Post(context.Background(), "hello", []byte(`{"Data":{}}`))
	if err != nil || res.Status != http.StatusNotFound {
		t.Errorf("envelope in forwarding mode: %v %d", err, res.Status)
	}
}

func TestConcurrentInvocations(t *testing.T) {
	ts := serve(t, testApp(t))
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := ts.Invoke(context.Background(), "orders", azuretest.Queue("msg", azuretest.QueueMessage{ID: fmt.Sprint("c-", i), DequeueCount: 1, Body: []byte(`{}`)}))
			switch {
			case err != nil:
				errs <- err
			case res.Failed:
				errs <- errors.New(res.Reason)
			case len(res.Logs) != 1 || !strings.Contains(res.Logs[0], fmt.Sprint("id=c-", i)):
				errs <- fmt.Errorf("invocation %d got the logs of another: %q", i, res.Logs)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestFunctionConfigOverride(t *testing.T) {
	var got []byte
	app := core.NewApp()
	_ = app.Event("raw", func(ctx context.Context, e core.Event) (*core.Event, error) {
		got = e.Data()
		return nil, nil
	})
	cfg := pazure.FunctionConfig{Bindings: []pazure.Binding{{Type: pazure.TypeEventHub, Direction: "in", Name: "event",
		Props: map[string]any{"dataType": "binary", "cardinality": "one"}}}}
	ts := serve(t, app, azure.WithFunctionConfigs(map[string]pazure.FunctionConfig{"raw": cfg}))
	res, err := ts.Invoke(context.Background(), "raw", azuretest.EventHub("event", azuretest.PartitionContext{FullyQualifiedNamespace: "ns", EventHubName: "h", PartitionId: "0"},
		azuretest.EventHubEvent{SequenceNumber: 1, Body: []byte{0, 1, 2, 0xff}}, true))
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if !bytes.Equal(got, []byte{0, 1, 2, 0xff}) {
		t.Errorf("data %v", got)
	}
}

func TestCheckRules(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ct     string
		body   string
		failed bool
	}{
		{"ok", 200, "application/json", `{"Outputs":{},"Logs":[],"ReturnValue":null}`, false},
		{"text/json", 200, "text/json", `{}`, false},
		{"unknown keys", 200, "application/json", `{"key1":"value1"}`, false},
		{"sniffed text/plain", 200, "text/plain; charset=utf-8", `{}`, true},
		{"not json", 200, "application/json", `hello`, true},
		{"non-2xx", 500, "application/json", `{}`, true},
		{"res not object", 200, "application/json", `{"Outputs":{"res":"hi"}}`, true},
		{"res header not string", 200, "application/json", `{"Outputs":{"res":{"headers":{"a":["x"]}}}}`, true},
		{"res status string", 200, "application/json", `{"Outputs":{"res":{"statusCode":"201"}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := azuretest.Check(tt.status, http.Header{"Content-Type": {tt.ct}}, []byte(tt.body))
			if res.Failed != tt.failed {
				t.Errorf("failed = %v (%s), want %v", res.Failed, res.Reason, tt.failed)
			}
		})
	}
	if msgs, trapped := azuretest.Written(json.RawMessage(`"test"`)); !trapped || string(msgs[0]) == "test" {
		t.Errorf(`"test" should fall into the base64 trap, got %q`, msgs)
	}
	if msgs, _ := azuretest.Written(json.RawMessage(`["a b",{"x":1}]`)); len(msgs) != 2 || string(msgs[0]) != "a b" {
		t.Errorf("array output: %q", msgs)
	}
}

// TestForwardingMixed: with forwarding on, the host still sends envelopes to
// functions that are not HTTP-only.
func TestForwardingMixed(t *testing.T) {
	ts := serve(t, testApp(t), azure.WithForwarding(true))
	resp, err := ts.Forward(context.Background(), httptest.NewRequest("GET", "/orders/7", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(string(body), "GET /orders/7 id=7") {
		t.Errorf("forwarded: %d %q", resp.StatusCode, body)
	}
	res, err := ts.Invoke(context.Background(), "orders", queueMsg(`{}`))
	if err != nil || res.Failed {
		t.Fatalf("envelope: %v %+v", err, res)
	}
}

// TestHTTPReturnOutput: a function.json whose http output is $return gets
// the answer in ReturnValue.
func TestHTTPReturnOutput(t *testing.T) {
	cfg := pazure.FunctionConfig{Bindings: []pazure.Binding{
		{Type: pazure.TypeHTTP, Direction: "in", Name: "req"},
		{Type: "http", Direction: "out", Name: "$return"},
	}}
	ts := serve(t, testApp(t), azure.WithFunctionConfigs(map[string]pazure.FunctionConfig{"api": cfg}))
	res, err := ts.Invoke(context.Background(), "api", azuretest.HTTP("req", httptest.NewRequest("GET", "https://x/orders/1", nil), map[string]string{"id": "1"}))
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	out, err := azuretest.ParseHTTPOutput(res.ReturnValue)
	if err != nil || out.StatusCode != 201 || !strings.HasPrefix(string(out.Body), "GET /orders/1 id=1") {
		t.Errorf("ReturnValue %s: %v", res.ReturnValue, err)
	}
	if len(res.Outputs) != 0 {
		t.Errorf("Outputs = %v", res.Outputs)
	}
}

// TestBlobBytes: a blob function reaches the blob's bytes through the
// invocation request.
func TestBlobBytes(t *testing.T) {
	var got []byte
	app := core.NewApp()
	_ = app.Event("uploads", func(ctx context.Context, e core.Event) (*core.Event, error) {
		req, ok := pazure.RequestFromContext(ctx)
		if !ok {
			return nil, errors.New("no request in context")
		}
		b, err := req.Binary(req.TriggerName)
		got = b
		return nil, err
	}, core.OnStorage("uploads"))
	ts := serve(t, app)
	res, err := ts.Invoke(context.Background(), "uploads", azuretest.Blob("blob", "https://acct.blob.core.windows.net/uploads/a.bin", []byte{1, 2, 3}, "application/octet-stream", "0x1", t0))
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("blob bytes %v", got)
	}
}

// TestEventHubBatchBinary: cardinality many with dataType binary sends each
// body as base64; each record arrives as its bytes, in order.
func TestEventHubBatchBinary(t *testing.T) {
	var mu sync.Mutex
	var got [][]byte
	app := core.NewApp()
	_ = app.Event("raw", func(ctx context.Context, e core.Event) (*core.Event, error) {
		mu.Lock()
		got = append(got, e.Data())
		mu.Unlock()
		return nil, nil
	}, core.OnStream("h").With("azure", "dataType", "binary"))
	ts := serve(t, app)
	pc := azuretest.PartitionContext{FullyQualifiedNamespace: "ns", EventHubName: "h", PartitionId: "4"}
	res, err := ts.Invoke(context.Background(), "raw", azuretest.EventHubBatch("events", pc,
		[]azuretest.EventHubEvent{{SequenceNumber: 1, Body: []byte{0xff, 0}}, {SequenceNumber: 2, Body: []byte("text")}}, "binary"))
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if len(got) != 2 || !bytes.Equal(got[0], []byte{0xff, 0}) || string(got[1]) != "text" {
		t.Errorf("records %q", got)
	}
}

// TestFunctionNameCase: Azure function names are case-insensitive; the
// adapter finds a function the host names in another case.
func TestFunctionNameCase(t *testing.T) {
	ts := serve(t, testApp(t))
	for _, name := range []string{"orders", "Orders", "ORDERS"} {
		res, err := ts.Invoke(context.Background(), name, queueMsg(`{}`))
		if err != nil || res.Failed {
			t.Errorf("%s: %v %+v", name, err, res)
		}
	}
}

// TestEventFunctionOverHTTP: an event function on an HTTP trigger answers
// its caller through the http output as over any HTTP: replies in binary
// mode or as a batch, failures in the JSON error shape; the invocation
// itself succeeds.
func TestEventFunctionOverHTTP(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("direct", func(ctx context.Context, e core.Event) (*core.Event, error) {
		switch string(e.Data()) {
		case `"fail"`:
			return nil, core.Permanentf("refused %s", e.ID())
		case `"none"`:
			return nil, nil
		}
		return reply(e), nil
	}))
	ts := serve(t, app)
	ce := func(id, data string) string {
		return `{"specversion":"1.0","id":"` + id + `","source":"/c","type":"t","datacontenttype":"application/json","data":` + data + `}`
	}
	tests := []struct {
		name, ct, body string
		status         int
		want           string // in the caller's body or headers
	}{
		{"reply", "application/cloudevents+json", ce("a", `"x"`), 200, "a.reply"},
		{"no reply", "application/cloudevents+json", ce("b", `"none"`), 204, ""},
		{"permanent failure", "application/cloudevents+json", ce("c", `"fail"`), 422, `"kind":"permanent"`},
		{"batch", "application/cloudevents-batch+json", "[" + ce("d", `"x"`) + "," + ce("e", `"x"`) + "]", 200, `"id":"e.reply"`},
		{"batch failure", "application/cloudevents-batch+json", "[" + ce("f", `"x"`) + "," + ce("g", `"fail"`) + "]", 422, `"failed":[{"index":1,"id":"g"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "https://polyfn.azurewebsites.net/direct", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ct)
			res, err := ts.Invoke(context.Background(), "direct", azuretest.HTTP("req", r, nil))
			if err != nil || res.Failed {
				t.Fatalf("the invocation failed: %v %+v", err, res)
			}
			resp, err := res.HTTP()
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(resp.Header) + string(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("caller gets %d %s, want %d with %s", resp.StatusCode, got, tt.status, tt.want)
			}
			if strings.Contains(got, "refused") {
				t.Errorf("the caller sees the function's error text: %s", got)
			}
		})
	}
}

// TestBodyLimit: an envelope over the limit fails with 413, except on an
// HTTP trigger, whose caller gets the 413.
func TestBodyLimit(t *testing.T) {
	ts := serve(t, testApp(t), azure.WithMaxBodyBytes(2048))
	big := strings.Repeat("x", 4096)
	res, err := ts.Invoke(context.Background(), "orders", queueMsg(big))
	if err != nil || !res.Failed || res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("queue envelope over the limit: %v %+v", err, res)
	}
	r := httptest.NewRequest("POST", "https://x/orders/1", strings.NewReader(big))
	res, err = ts.Invoke(context.Background(), "api", azuretest.HTTP("req", r, map[string]string{"id": "1"}))
	if err != nil || res.Failed {
		t.Fatalf("HTTP envelope over the limit: %v %+v", err, res)
	}
	if resp, err := res.HTTP(); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("the caller gets %+v, %v; want 413", resp, err)
	}
	if out := ts.stdout.String(); !strings.Contains(out, `"msg":"request rejected","invocation_id":"`) || !strings.Contains(out, `"function":"api","error":"request body too large`) || !strings.Contains(out, `"status":413}`) {
		t.Errorf("stdout lacks the rejection:\n%s", ts.stdout.String())
	}
}

// TestTraceContext: the invocation carries the W3C trace context of the
// host's request, or for an HTTP trigger its caller's.
func TestTraceContext(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	var mu sync.Mutex
	var got []string
	app := core.NewApp()
	core.Must(app.Event("direct", func(ctx context.Context, e core.Event) (*core.Event, error) {
		mu.Lock()
		got = append(got, core.InvocationFrom(ctx).TraceParent)
		mu.Unlock()
		return nil, nil
	}))
	ts := serve(t, app)
	r := httptest.NewRequest("POST", "https://x/direct", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Traceparent", tp)
	if res, err := ts.Invoke(context.Background(), "direct", azuretest.HTTP("req", r, nil)); err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if len(got) != 1 || got[0] != tp {
		t.Errorf("the function saw trace parents %q, want %q", got, tp)
	}
}
