package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// received collects the events a test function saw.
type received struct {
	mu  sync.Mutex
	evs []core.Event
}

func (r *received) add(e core.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e.Clone())
}

// all returns a copy of the events seen so far.
func (r *received) all() []core.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.Event(nil), r.evs...)
}

func (r *received) last(t *testing.T) core.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.evs) == 0 {
		t.Fatal("the function saw no event")
	}
	return r.evs[len(r.evs)-1]
}

// testApp has an event function "mirror" that replies with the event it got
// (type changed), "quiet" that replies nothing, and "crash" and "fail" that
// panic and fail; and an HTTP function "hello" for GET /hello.
func testApp(t *testing.T, got *received) *core.App {
	app := core.NewApp()
	core.Must(app.Event("mirror", func(ctx context.Context, e core.Event) (*core.Event, error) {
		got.add(e)
		if d, _ := core.Decode[map[string]any](e); d["fail"] == true {
			return nil, core.Permanentf("asked to fail")
		}
		if d, _ := core.Decode[map[string]any](e); d["panic"] == true {
			panic("asked to panic")
		}
		if d, _ := core.Decode[map[string]any](e); d["sleep"] != nil {
			time.Sleep(time.Duration(d["sleep"].(float64)) * time.Millisecond)
		}
		reply := e.Clone()
		reply.SetType("mirror.reply")
		return &reply, nil
	}))
	core.Must(app.Event("quiet", func(ctx context.Context, e core.Event) (*core.Event, error) {
		got.add(e)
		return nil, nil
	}))
	core.Must(app.Event("crash", func(context.Context, core.Event) (*core.Event, error) { panic("boom") }))
	core.Must(app.HTTP("hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv := core.InvocationFrom(r.Context())
		fmt.Fprintf(w, "hello from %s on %s", inv.Function, inv.Provider)
	}), core.OnHTTP("/hello", "GET")))
	core.Must(app.HTTP("panicky", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("http boom") })))
	return app
}

func newServer(t *testing.T, app *core.App, opts ...Option) *httptest.Server {
	t.Helper()
	h, err := Handler(app, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// sample returns events that exercise every attribute, extensions of every
// type, and text, JSON and binary data.
func samples() map[string]event.Event {
	base := func(id string) event.Event {
		e := event.New()
		e.SetID(id)
		e.SetSource("https://example.com/orders")
		e.SetType("com.example.order.placed")
		e.SetSubject("Euro € 😀 and spaces")
		e.SetTime(time.Date(2026, 11, 25, 10, 11, 12, 123456789, time.UTC))
		e.SetDataSchema("https://example.com/schemas/order")
		e.SetExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		e.SetExtension("partitionkey", "customer-42")
		e.SetExtension("count", 7)
		e.SetExtension("urgent", true)
		return e
	}
	text := base("text-1")
	_ = text.SetData("text/plain; charset=utf-8", "héllo, wörld\nline two")
	js := base("json-1")
	_ = js.SetData("application/json", map[string]any{"order": "A-7", "items": []int{1, 2}, "note": "é"})
	bin := base("bin-1")
	_ = bin.SetData("application/octet-stream", []byte{0x00, 0xff, 0x10, 0x80, 'x'})
	return map[string]event.Event{"text": text, "json": js, "binary": bin}
}

// sameEvent compares two events attribute by attribute; extension values
// compare in their canonical string form, since binary mode carries every
// extension as a string.
func sameEvent(t *testing.T, got, want event.Event) {
	t.Helper()
	checks := []struct{ name, got, want string }{
		{"id", got.ID(), want.ID()},
		{"source", got.Source(), want.Source()},
		{"type", got.Type(), want.Type()},
		{"subject", got.Subject(), want.Subject()},
		{"dataschema", got.DataSchema(), want.DataSchema()},
		{"datacontenttype", got.DataContentType(), want.DataContentType()},
		{"specversion", got.SpecVersion(), want.SpecVersion()},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !got.Time().Equal(want.Time()) {
		t.Errorf("time = %v, want %v", got.Time(), want.Time())
	}
	if len(got.Extensions()) != len(want.Extensions()) {
		t.Errorf("extensions = %v, want %v", got.Extensions(), want.Extensions())
	}
	for k := range want.Extensions() {
		g, _ := core.ExtensionString(got, k)
		w, _ := core.ExtensionString(want, k)
		if g != w {
			t.Errorf("extension %s = %q, want %q", k, g, w)
		}
	}
	if !bytes.Equal(got.Data(), want.Data()) {
		t.Errorf("data = %q, want %q", got.Data(), want.Data())
	}
}

func TestRoundTripWithSDKClient(t *testing.T) {
	got := &received{}
	srv := newServer(t, testApp(t, got))
	client, err := cloudevents.NewClientHTTP(cehttp.WithTarget(srv.URL + "/mirror"))
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]func(context.Context) context.Context{
		"binary":     binding.WithForceBinary,
		"structured": binding.WithForceStructured,
	}
	for modeName, mode := range modes {
		for dataName, e := range samples() {
			t.Run(modeName+"/"+dataName, func(t *testing.T) {
				reply, res := client.Request(mode(context.Background()), e)
				if !cloudevents.IsACK(res) {
					t.Fatalf("request not acknowledged: %v", res)
				}
				sameEvent(t, got.last(t), e)
				if reply == nil {
					t.Fatal("no reply event")
				}
				if reply.Type() != "mirror.reply" {
					t.Fatalf("reply type %q", reply.Type())
				}
				want := e.Clone()
				want.SetType("mirror.reply")
				// Binary replies carry the subject percent-encoded, as the
				// binding requires; the SDK does not decode header values
				// (sdk-go#1331), so it holds the encoded form.
				want.SetSubject(percentEncode(want.Subject()))
				sameEvent(t, *reply, want)
			})
		}
	}
}

// percentEncode percent-encodes s as the HTTP binding does for header values.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestBatchWithSDKRequest(t *testing.T) {
	got := &received{}
	srv := newServer(t, testApp(t, got))
	var sent []event.Event
	for _, name := range []string{"text", "json", "binary"} {
		sent = append(sent, samples()[name])
	}
	req, err := cehttp.NewHTTPRequestFromEvents(context.Background(), srv.URL+"/mirror", sent)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/cloudevents-batch+json" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(got.all()) != 3 {
		t.Fatalf("the function saw %d events, want 3", len(got.all()))
	}
	for i, e := range sent {
		sameEvent(t, got.all()[i], e)
	}
	body, _ := io.ReadAll(resp.Body)
	replies, err := cejson.UnmarshalBatch(body)
	if err != nil || len(replies) != 3 {
		t.Fatalf("replies: %d, %v", len(replies), err)
	}
	for i, e := range sent {
		want := e.Clone()
		want.SetType("mirror.reply")
		sameEvent(t, replies[i], want)
	}
}

func TestBatchPartialFailure(t *testing.T) {
	got := &received{}
	srv := newServer(t, testApp(t, got))
	body := `[
	 {"specversion":"1.0","id":"ok-1","source":"/s","type":"t","data":{}},
	 {"specversion":"1.0","id":"bad-2","source":"/s","type":"t","data":{"fail":true}},
	 {"specversion":"1.0","id":"boom-3","source":"/s","type":"t","data":{"panic":true}},
	 {"specversion":"1.0","id":"ok-4","source":"/s","type":"t","data":{}}]`
	resp := post(t, srv.URL+"/mirror", "application/cloudevents-batch+json", body, nil)
	if resp.status != 500 {
		t.Fatalf("status %d, want 500 (one failure is retryable)", resp.status)
	}
	var out struct {
		Error        string
		Kind         string
		InvocationID string `json:"invocation_id"`
		Failed       []struct {
			Index     int
			ID, Error string
			Kind      string
		}
	}
	if err := json.Unmarshal(resp.body, &out); err != nil {
		t.Fatalf("%v: %s", err, resp.body)
	}
	if out.Error != "2 of 4 events failed" || out.Kind != "retryable" || out.InvocationID == "" || len(out.Failed) != 2 ||
		out.Failed[0].ID != "bad-2" || out.Failed[0].Index != 1 || out.Failed[0].Kind != "permanent" ||
		out.Failed[1].ID != "boom-3" || out.Failed[1].Kind != "retryable" || out.Failed[1].Error != "the function panicked" {
		t.Fatalf("body %s", resp.body)
	}
	if strings.Contains(string(resp.body), "asked to") {
		t.Fatalf("the function's error text reached the caller: %s", resp.body)
	}
	if len(got.all()) != 4 {
		t.Fatalf("every record must run once: ran %d", len(got.all()))
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func post(t *testing.T, url, ct, body string, h map[string]string) response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

var validHeaders = map[string]string{"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/s", "ce-type": "t"}

func without(m map[string]string, key string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestMalformedRequests(t *testing.T) {
	got := &received{}
	srv := newServer(t, testApp(t, got), WithMaxBodyBytes(1024))
	prettyB64 := "{\n  \"specversion\": \"1.0\",\n  \"type\": \"com.example.someevent\",\n  \"source\": \"/mycontext\",\n  \"id\": \"E234\",\n  \"data_base64\": \"eyAieHl6IjogMTIzIH0=\"\n}"
	tests := []struct {
		name       string
		ct         string
		headers    map[string]string
		body       string
		wantStatus int
		wantError  string
	}{
		{"missing ce-id", "application/json", without(validHeaders, "ce-id"), `{}`, 400, "missing required header ce-id"},
		{"missing ce-type", "application/json", without(validHeaders, "ce-type"), `{}`, 400, "missing required header ce-type"},
		{"bad specversion", "application/json", without(validHeaders, "", "ce-specversion", "0.3"), `{}`, 400, `specversion \"0.3\" is not supported`},
		{"not a CloudEvent", "application/json", nil, `{}`, 400, "no ce-specversion header"},
		{"invalid structured JSON", "application/cloudevents+json", nil, `{"specversion":"1.0",`, 400, "structured JSON"},
		{"structured without id", "application/cloudevents+json", nil, `{"specversion":"1.0","source":"/s","type":"t"}`, 400, "missing required attribute id"},
		{"invalid batch", "application/cloudevents-batch+json", nil, `[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{}]`, 400, "batch event 1"},
		{"body over the limit", "application/json", validHeaders, `"` + strings.Repeat("x", 2000) + `"`, 413, "the limit of 1024 bytes"},
		{"pretty data_base64 is fine", "application/cloudevents+json", nil, prettyB64, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, srv.URL+"/mirror", tt.ct, tt.body, tt.headers)
			if resp.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.status, tt.wantStatus, resp.body)
			}
			if tt.wantError == "" {
				return
			}
			if resp.header.Get("Content-Type") != "application/json" {
				t.Fatalf("error content type %q", resp.header.Get("Content-Type"))
			}
			var e struct{ Error string }
			if err := json.Unmarshal(resp.body, &e); err != nil || !strings.Contains(string(resp.body), tt.wantError) {
				t.Fatalf("body %s does not name %q (%v)", resp.body, tt.wantError, err)
			}
		})
	}
	if d := got.last(t).Data(); string(d) != `{ "xyz": 123 }` {
		t.Fatalf("pretty data_base64 decoded to %q", d)
	}
}

func TestHandlerOutcomes(t *testing.T) {
	got := &received{}
	srv := newServer(t, testApp(t, got))
	h := validHeaders
	tests := []struct {
		name, path, body string
		wantStatus       int
		wantBody         string
	}{
		{"reply in binary mode", "/mirror", `{"a":1}`, 200, `{"a":1}`},
		{"no reply", "/quiet", `{}`, 204, ""},
		{"error", "/mirror", `{"fail":true}`, 422, `{"error":"the function failed","kind":"permanent","invocation_id":"req-1"}`},
		{"panic", "/crash", `{}`, 500, `{"error":"the function panicked","kind":"retryable","invocation_id":"req-1"}`},
		{"still serving after a panic", "/mirror", `{"b":2}`, 200, `{"b":2}`},
		{"unknown function", "/nope", `{}`, 404, ""},
		{"root with several event functions", "/", `{}`, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, srv.URL+tt.path, "application/json", tt.body, without(h, "", "X-Request-Id", "req-1"))
			if resp.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.status, tt.wantStatus, resp.body)
			}
			if tt.wantBody != "" && strings.TrimSpace(string(resp.body)) != tt.wantBody {
				t.Fatalf("body %s, want %s", resp.body, tt.wantBody)
			}
			if tt.wantStatus == 200 && (resp.header.Get("Ce-Type") != "mirror.reply" || resp.header.Get("Ce-Id") != "1") {
				t.Fatalf("reply headers %v", resp.header)
			}
		})
	}
}

func TestRootAndHTTPFunctions(t *testing.T) {
	got := &received{}
	// One event function: served at / too.
	single := core.NewApp()
	core.Must(single.Event("only", func(ctx context.Context, e core.Event) (*core.Event, error) {
		got.add(e)
		if inv := core.InvocationFrom(ctx); inv.Function != "only" || inv.Provider != "local" || len(inv.ID) != 36 {
			return nil, fmt.Errorf("invocation %+v", core.InvocationFrom(ctx))
		}
		return nil, nil
	}))
	srv := newServer(t, single)
	if r := post(t, srv.URL+"/", "application/json", `{}`, validHeaders); r.status != 204 {
		t.Fatalf("POST / on a single-function app: %d %s", r.status, r.body)
	}
	// Several: WithFunction picks the one at /.
	srv = newServer(t, testApp(t, got), WithFunction("quiet"))
	if r := post(t, srv.URL+"/", "application/json", `{}`, validHeaders); r.status != 204 {
		t.Fatalf("POST / with WithFunction: %d %s", r.status, r.body)
	}
	if _, err := Handler(testApp(t, got), WithFunction("hello")); err == nil || !strings.Contains(err.Error(), `function "hello" is an http function, not an event function`) {
		t.Fatalf("selecting an HTTP function: %v", err)
	}

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/hello"); code != 200 || body != "hello from hello on local" {
		t.Fatalf("GET /hello: %d %q", code, body)
	}
	if r := post(t, srv.URL+"/hello", "text/plain", "x", nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST /hello: %d, want 405", r.status)
	}
	if code, _ := get("/panicky"); code != 500 {
		t.Fatalf("panicking HTTP function: %d", code)
	}
	if code, body := get("/healthz"); code != 200 || body != `{"status":"ok"}` {
		t.Fatalf("health: %d %s", code, body)
	}
}

func TestRouteConflict(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("orders", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }))
	core.Must(app.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/orders", "POST")))
	if _, err := Handler(app); err == nil || !strings.Contains(err.Error(), "POST /orders") {
		t.Fatalf("want a route conflict error naming the pattern, got %v", err)
	}
}

func TestServeDrainsOnShutdown(t *testing.T) {
	got := &received{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, testApp(t, got), WithLogger(slogDiscard())) }()
	url := "http://" + ln.Addr().String()
	waitHealthy(t, url)

	slow := make(chan response, 1)
	go func() { slow <- post(t, url+"/mirror", "application/json", `{"sleep":300}`, validHeaders) }()
	deadline := time.Now().Add(2 * time.Second)
	for len(got.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // as SIGTERM does
	if r := <-slow; r.status != 200 {
		t.Fatalf("request in flight during shutdown: %d %s", r.status, r.body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("server still answering after shutdown")
	}
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}

func TestServeEnvErrors(t *testing.T) {
	t.Setenv("POLYFN_MAX_BODY_BYTES", "lots")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	err := Serve(context.Background(), ln, testApp(t, &received{}))
	if err == nil || !strings.Contains(err.Error(), `POLYFN_MAX_BODY_BYTES="lots"`) {
		t.Fatalf("got %v", err)
	}
	t.Setenv("POLYFN_MAX_BODY_BYTES", "")
	t.Setenv("POLYFN_FUNCTION", "missing")
	ln, _ = net.Listen("tcp", "127.0.0.1:0")
	if err := Serve(context.Background(), ln, testApp(t, &received{})); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Fatalf("got %v", err)
	}
}

func TestDeclaredTimeout(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("slow", func(ctx context.Context, e core.Event) (*core.Event, error) {
		if core.InvocationFrom(ctx).Deadline.IsZero() {
			return nil, fmt.Errorf("no deadline in the invocation")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Second):
			return nil, nil
		}
	}, core.WithTimeout(50*time.Millisecond)))
	srv := newServer(t, app)
	start := time.Now()
	r := post(t, srv.URL+"/slow", "application/json", `{}`, validHeaders)
	if r.status != 500 || !strings.Contains(string(r.body), "did not finish before its deadline") || time.Since(start) > 2*time.Second {
		t.Fatalf("status %d after %s: %s", r.status, time.Since(start), r.body)
	}
}

func TestErrorDetails(t *testing.T) {
	srv := newServer(t, testApp(t, &received{}), WithErrorDetails(true))
	r := post(t, srv.URL+"/mirror", "application/json", `{"fail":true}`, validHeaders)
	if r.status != 422 || !strings.Contains(string(r.body), `"error":"asked to fail"`) {
		t.Fatalf("with error details: %d %s", r.status, r.body)
	}
}
