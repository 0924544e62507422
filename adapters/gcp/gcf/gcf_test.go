package gcf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
)

// recorder is an event function that remembers what it saw.
type recorder struct {
	mu     sync.Mutex
	events []core.Event
	invs   []core.Invocation
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
		r := core.NewEvent(e.ID()+".reply", "/polyfn/test", "com.example.reply", "text/plain", []byte("réponse"))
		return &r, nil
	}
	return nil, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// benchData is what the benchmark functions decode: the part of a Pub/Sub
// message a function typically reads.
type benchData struct {
	Message struct {
		Data       []byte            `json:"data"`
		Attributes map[string]string `json:"attributes"`
	} `json:"message"`
}

var benchSink atomic.Int64

// benchWork is the work every benchmarked function does, polyfn or native.
func benchWork(data []byte) error {
	var d benchData
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	benchSink.Add(int64(len(d.Message.Data)))
	return nil
}

func polyfnBench(ctx context.Context, e core.Event) (*core.Event, error) {
	return nil, benchWork(e.Data())
}

func nativeBench(ctx context.Context, e event.Event) error { return benchWork(e.Data()) }

func newApp(rec *recorder) *core.App {
	app := core.NewApp()
	core.Must(app.Event("ev", rec.handle, core.OnTopic("t")))
	core.Must(app.Event("pfbench", polyfnBench))
	core.Must(app.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Fn", core.InvocationFrom(r.Context()).Function)
		_, _ = w.Write(body)
	})))
	return app
}

// The functions-framework-go registry is global and its server cannot be
// stopped: one server per test binary serves the tests and the benchmarks.
var (
	ffOnce sync.Once
	ffURL  string
	ffErr  error
	ffRec  = &recorder{}
)

// ffServer registers newApp with Register, plus a native
// functions-framework-go function, and serves them with
// funcframework.StartHostPort, as the buildpack's main does (without
// FUNCTION_TARGET, so each function is at /{name}).
func ffServer(t testing.TB) string {
	t.Helper()
	ffOnce.Do(func() {
		if os.Getenv("FUNCTION_TARGET") != "" {
			ffErr = errors.New("FUNCTION_TARGET is set in the test environment")
			return
		}
		if ffErr = Register(newApp(ffRec), gcp.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))); ffErr != nil {
			return
		}
		functions.CloudEvent("nativebench", nativeBench)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ffErr = err
			return
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		ln.Close()
		go func() { _ = funcframework.StartHostPort("127.0.0.1", port) }()
		ffURL = "http://127.0.0.1:" + port
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			c, err := net.Dial("tcp", "127.0.0.1:"+port)
			if err == nil {
				c.Close()
				return
			}
			if time.Now().After(deadline) {
				ffErr = err
				return
			}
		}
	})
	if ffErr != nil {
		t.Fatal(ffErr)
	}
	return ffURL
}

func binaryHeaders(id string) map[string]string {
	return map[string]string{
		"Ce-Specversion": "1.0", "Ce-Id": id, "Ce-Type": "google.cloud.pubsub.topic.v1.messagePublished",
		"Ce-Source": "//pubsub.googleapis.com/projects/p/topics/t", "Ce-Time": "2026-01-02T03:04:05.678Z", "Content-Type": "application/json",
	}
}

const pubsubBody = `{"message":{"data":"aGk=","messageId":"1","orderingKey":"k"},"subscription":"projects/p/subscriptions/s"}`

func newRequest(t testing.TB, url string, header map[string]string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRegister serves a polyfn app through functions-framework-go's own
// server, as the Go buildpack's generated main does.
func TestRegister(t *testing.T) {
	base := ffServer(t)
	client := &http.Client{Timeout: 10 * time.Second}
	tests := []struct {
		name       string
		header     map[string]string
		body       string
		wantStatus int
		wantID     string
		wantKind   core.EventKind
		wantBody   string // a prefix of the answer
	}{
		{"binary", binaryHeaders("ok"), pubsubBody, 204, "ok", core.KindTopicMessage, ""},
		{"retryable error", binaryHeaders("fail"), pubsubBody, 500, "fail", core.KindTopicMessage, `{"error":"the function failed","kind":"retryable","invocation_id":"`},
		{"permanent error", binaryHeaders("permanent"), pubsubBody, 422, "permanent", core.KindTopicMessage, `{"error":"the function failed","kind":"permanent","invocation_id":"`},
		{"panic", binaryHeaders("panic"), pubsubBody, 500, "panic", core.KindTopicMessage, `{"error":"the function panicked","kind":"retryable","invocation_id":"`},
		{"invalid CloudEvent", map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "x", "Ce-Type": "t", "Content-Type": "application/json"}, "{}", 400, "", "", ""},
		{"legacy storage event", map[string]string{"Content-Type": "application/json"}, string(readFixture(t, "storage-legacy-input.json")), 204, "aaaaaa-1111-bbbb-2222-cccccccccccc", core.KindStorageObjectCreated, ""},
		{"not an event", map[string]string{"Content-Type": "application/json"}, `{"a":1}`, 400, "", "", ""},
		// polyfn converts a push envelope itself, subscription kept.
		{"push envelope", map[string]string{"Content-Type": "application/json"}, `{"message":{"data":"aGk=","messageId":"push-1"},"subscription":"projects/p/subscriptions/s"}`, 204, "push-1", core.KindTopicMessage, ""},
		{"structured", map[string]string{"Content-Type": "application/cloudevents+json"}, `{"specversion":"1.0","id":"s-1","source":"//storage.googleapis.com/projects/_/buckets/b","type":"google.cloud.storage.object.v1.deleted","subject":"objects/o","data":{"name":"o"}}`, 204, "s-1", core.KindStorageObjectDeleted, ""},
		// A message carrying a binary-mode CloudEvent (attributes ce-*): the
		// function sees the inner event; the data is base64 of {"n":1}.
		{"pubsub carrying a CloudEvent", binaryHeaders("outer"), `{"message":{"data":"eyJuIjoxfQ==","messageId":"m","attributes":{"ce-specversion":"1.0","ce-id":"inner","ce-source":"/s","ce-type":"com.example.t","content-type":"application/json"}}}`, 204, "inner", "", ""},
		{"pubsub carrying an invalid CloudEvent", binaryHeaders("outer"), `{"message":{"data":"eyJuIjoxfQ==","messageId":"m","attributes":{"ce-specversion":"1.0","ce-type":"com.example.t"}}}`, 400, "", "", `{"error":"gcp: invalid event: Pub/Sub message outer carries an invalid CloudEvent`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ffRec.count()
			resp, err := client.Do(newRequest(t, base+"/ev", tt.header, []byte(tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tt.wantStatus, body)
			}
			if !strings.HasPrefix(string(body), tt.wantBody) || strings.Contains(string(body), "boom") || strings.Contains(string(body), "bad input") {
				t.Errorf("body = %q, want it to start with %q and hold no error text", body, tt.wantBody)
			}
			ffRec.mu.Lock()
			defer ffRec.mu.Unlock()
			if tt.wantID == "" {
				if len(ffRec.events) != before {
					t.Errorf("function called")
				}
				return
			}
			if len(ffRec.events) != before+1 {
				t.Fatalf("function called %d times", len(ffRec.events)-before)
			}
			e, inv := ffRec.events[before], ffRec.invs[before]
			if e.ID() != tt.wantID || core.EventKindOf(e) != tt.wantKind || inv.Provider != "gcp" || inv.Function != "ev" {
				t.Errorf("event %s kind %q, invocation %+v", e.ID(), core.EventKindOf(e), inv)
			}
		})
	}
	t.Run("http function", func(t *testing.T) {
		resp, err := client.Post(base+"/web", "application/octet-stream", strings.NewReader("raw\x00\xffbody"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "raw\x00\xffbody" || resp.Header.Get("X-Fn") != "web" {
			t.Errorf("status %d, body %q, headers %v", resp.StatusCode, b, resp.Header)
		}
	})
}

// BenchmarkServe measures one Pub/Sub event (a binary-mode CloudEvent, as
// Eventarc delivers it) over loopback HTTP, client included, against three
// servers in the same run:
//
//   - native: a functions-framework-go CloudEvent function on
//     functions-framework-go's own server (what a hand-written function gets);
//   - polyfn-run: the same work as a polyfn event function on gcp.Handler in
//     an http.Server (the container path: adapters.Run, gcp.Run);
//   - polyfn-register: the same polyfn function registered with Register on
//     functions-framework-go's server (the source-deploy path).
func BenchmarkServe(b *testing.B) {
	ff := ffServer(b)
	h, err := gcp.Handler(newApp(&recorder{}), gcp.WithTarget("pfbench"))
	if err != nil {
		b.Fatal(err)
	}
	own := httptest.NewServer(h)
	defer own.Close()
	body := readFixture(b, "MessagePublishedData-text.json")
	hdr := binaryHeaders("bench-1")
	do := func(b *testing.B, client *http.Client, url string) {
		resp, err := client.Do(newRequest(b, url, hdr, body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	servers := []struct{ name, url string }{
		{"native", ff + "/nativebench"},
		{"polyfn-run", own.URL + "/"},
		{"polyfn-register", ff + "/pfbench"},
	}
	warm := &http.Client{}
	for i := 0; i < 300; i++ { // every server warm before any is measured
		for _, s := range servers {
			do(b, warm, s.url)
		}
	}
	warm.CloseIdleConnections()
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			defer client.CloseIdleConnections()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				do(b, client, s.url)
			}
		})
	}
}
