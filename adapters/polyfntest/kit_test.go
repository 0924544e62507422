package polyfntest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	awsadapter "github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
	azureadapter "github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	gcpadapter "github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
	localadapter "github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/adapters/local/localtest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/providers/aws"
	"github.com/polyfn/polyfn/providers/azure"
)

// seen is what a function saw of one record.
type seen struct {
	Event   string           // the event, as JSON
	Trigger core.TriggerKind // the invocation's trigger
	Native  string           // the native record the context carries
}

// recorder is an App whose functions record what they see.
type recorder struct {
	mu   sync.Mutex
	seen map[string][]seen
}

func (r *recorder) take(fn string) []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen[fn]
	delete(r.seen, fn)
	return s
}

// nativeRecord names the native record ctx carries, as the adapters' typed
// accessors find it.
func nativeRecord(ctx context.Context) string {
	var found []string
	for name, ok := range map[string]bool{
		"sqs":         has(aws.SQSMessageFromContext(ctx)),
		"sns":         has(aws.SNSRecordFromContext(ctx)),
		"kinesis":     has(aws.KinesisRecordFromContext(ctx)),
		"s3":          has(aws.S3RecordFromContext(ctx)),
		"eventbridge": has(aws.EventBridgeEventFromContext(ctx)),
		"azure":       has(azure.RequestFromContext(ctx)),
	} {
		if ok {
			found = append(found, name)
		}
	}
	return strings.Join(found, ",")
}

func has[T any](_ T, ok bool) bool { return ok }

// recordingApp returns an App with a function per portable event trigger,
// and the recorder of what they see. A record whose data is {"fail":"x"}
// fails: permanent, retryable or panic.
func recordingApp(t *testing.T) (*core.App, *recorder) {
	t.Helper()
	rec := &recorder{seen: map[string][]seen{}}
	app := core.NewApp()
	handler := func(name string) core.EventFunc {
		return func(ctx context.Context, e core.Event) (*core.Event, error) {
			b, err := json.Marshal(e)
			if err != nil {
				return nil, err
			}
			rec.mu.Lock()
			rec.seen[name] = append(rec.seen[name], seen{string(b), core.InvocationFrom(ctx).Trigger, nativeRecord(ctx)})
			rec.mu.Unlock()
			in, _ := core.Decode[struct{ Fail string }](e) // a notification carries no body: no failure
			switch in.Fail {
			case "permanent":
				return nil, core.Permanentf("record %s: bad", e.ID())
			case "retryable":
				return nil, fmt.Errorf("record %s: try again", e.ID())
			case "panic":
				panic("record " + e.ID())
			}
			return nil, nil
		}
	}
	for _, f := range []struct {
		name string
		t    core.Trigger
	}{
		{"orders", core.OnQueue("orders")},
		{"placed", core.OnTopic("order-placed", "placed")},
		{"nightly", core.OnSchedule("0 2 * * *", "Europe/Paris")},
		{"stock", core.OnStream("stock")},
		{"uploads", core.OnStorage("uploads", core.KindStorageObjectCreated)},
	} {
		if err := app.Event(f.name, handler(f.name), f.t); err != nil {
			t.Fatal(err)
		}
	}
	return app, rec
}

// deliverToAdapter sends n, the platform's payloads for function fn, to
// provider p's adapter, as its platform does; invs are the kit's
// invocations of n, which say how the local adapter gets them.
func deliverToAdapter(t *testing.T, p Provider, app *core.App, fn string, n native, invs []invocation) {
	t.Helper()
	ctx := context.Background()
	post := func(h http.Handler, r *http.Request) {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 300 && w.Code != http.StatusUnprocessableEntity && w.Code != http.StatusInternalServerError {
			t.Fatalf("%s adapter answered %d: %s", p, w.Code, w.Body)
		}
	}
	switch p {
	case AWS:
		h, err := awsadapter.NewHandler(app, awsadapter.WithFunction(fn))
		if err != nil {
			t.Fatal(err)
		}
		for _, payload := range n.aws {
			// A failed record of a source that reports no item failures
			// fails the invocation: the error is the expected answer.
			_, _ = h.Invoke(ctx, payload)
		}
	case Azure:
		h, err := azureadapter.Handler(app)
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range n.azure {
			r := httptest.NewRequest("POST", "/"+fn, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			post(h, r)
		}
	case GCP:
		h, err := gcpadapter.Handler(app, gcpadapter.WithTarget(fn))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range n.events {
			post(h, binaryRequest(t, "/", e))
		}
	default:
		h, err := localadapter.Handler(app)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			if !inv.batch {
				post(h, binaryRequest(t, "/"+fn, inv.events[0]))
				continue
			}
			body := []byte{'['}
			for i, e := range inv.events {
				if i > 0 {
					body = append(body, ',')
				}
				var err error
				if body, err = cejson.Append(body, e); err != nil {
					t.Fatal(err)
				}
			}
			r := httptest.NewRequest("POST", "/"+fn, bytes.NewReader(append(body, ']')))
			r.Header.Set("Content-Type", cehttp.BatchContentType)
			post(h, r)
		}
	}
}

// binaryRequest returns a request that carries e in binary mode.
func binaryRequest(t *testing.T, path string, e core.Event) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", path, bytes.NewReader(e.Data()))
	if err := cehttp.SetBinaryHeaders(r.Header, &e); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestKitIsTheAdapter checks, for each provider and portable trigger, that
// a function run by the kit sees what it sees when the provider's adapter
// gets the same payloads: the same events, attribute for attribute and
// byte for byte, the same trigger and the same native record.
func TestKitIsTheAdapter(t *testing.T) {
	recs := []Record{
		{ID: "m-1", Data: []byte(`{"order":1}`)},
		{ID: "m-2", Data: []byte(`{"order":2,"fail":"permanent"}`)},
		{ID: "m-3", Data: []byte(`{"order":3}`)},
	}
	keyed := []Record{
		{ID: "k-1", Key: "A", Data: []byte(`{"sku":"A","seq":1}`)},
		{ID: "k-2", Key: "B", Data: []byte(`{"sku":"B","seq":1,"fail":"retryable"}`)},
		{ID: "k-3", Key: "B", Data: []byte(`{"sku":"B","seq":2}`)},
		{ID: "k-4", Key: "A", Data: []byte(`{"sku":"A","seq":2}`)},
	}
	tests := []struct {
		fn   string
		kind core.TriggerKind
		recs []Record
	}{
		{"orders", core.TriggerQueue, recs},
		{"placed", core.TriggerTopic, recs[:1]},
		{"nightly", core.TriggerSchedule, nil},
		{"stock", core.TriggerStream, keyed},
		{"uploads", core.TriggerStorage, []Record{{ID: "o-1", Data: []byte("hello")}}},
	}
	for _, p := range Providers {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%s", p, tt.kind), func(t *testing.T) {
				app, rec := recordingApp(t)
				k := New(t, app, p)
				fn := k.function(tt.fn, core.EventFunction)
				trig, err := sample.Native(string(p), tt.kind)
				if err != nil {
					t.Fatal(err)
				}
				n, err := nativeOf(p, fn.Def(), trig, tt.recs)
				if err != nil {
					t.Fatal(err)
				}
				invs, err := decode(p, fn.Def(), n)
				if err != nil {
					t.Fatal(err)
				}
				k.Run(Delivery{Function: tt.fn, Trigger: tt.kind, provider: p, invocations: invs})
				kit := rec.take(tt.fn)
				deliverToAdapter(t, p, app, tt.fn, n, invs)
				adapter := rec.take(tt.fn)
				if len(kit) == 0 {
					t.Fatal("the kit ran no record")
				}
				if len(kit) != len(adapter) {
					t.Fatalf("the kit ran %d records, the adapter %d", len(kit), len(adapter))
				}
				for i := range kit {
					if kit[i] != adapter[i] {
						t.Errorf("record %d:\nkit     %+v\nadapter %+v", i, kit[i], adapter[i])
					}
				}
			})
		}
	}
}

// TestServeHTTPIsTheAdapter checks, for each provider, that an HTTP
// function served by the kit sees the request it sees behind that
// adapter's front end (its conformance harness), and answers the same.
func TestServeHTTPIsTheAdapter(t *testing.T) {
	makers := map[Provider]adaptertest.HarnessMaker{Local: localtest.NewHarness, AWS: awstest.NewHarness, Azure: azuretest.NewHarness, GCP: gcptest.NewHarness}
	requests := []struct {
		method, target, body string
	}{
		{"GET", "/api/orders/42?verbose=1&tag=a&tag=b", ""},
		{"POST", "/api/orders/7", `{"id":"o7"}`},
		{"DELETE", "/api/orders/a%20b", ""},
	}
	for _, p := range Providers {
		for _, rq := range requests {
			t.Run(fmt.Sprintf("%s/%s %s", p, rq.method, rq.target), func(t *testing.T) {
				var got []string
				app := core.NewApp()
				mux := http.NewServeMux()
				mux.HandleFunc("/api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					got = append(got, fmt.Sprintf("%s %s id=%q query=%v key=%q body=%q", r.Method, r.URL.Path, r.PathValue("id"), r.URL.Query(), r.Header.Get("X-Api-Key"), body))
					w.Header().Set("X-Order", r.PathValue("id"))
					w.WriteHeader(http.StatusAccepted)
					fmt.Fprintf(w, "order %s", r.PathValue("id"))
				})
				core.Must(app.HTTP("api", mux, core.OnHTTP("/api/")))
				req := func() *http.Request {
					r := httptest.NewRequest(rq.method, rq.target, strings.NewReader(rq.body))
					r.Header.Set("X-Api-Key", "k-1")
					r.RequestURI = ""
					return r
				}
				kitResp := New(t, app, p).ServeHTTP("api", req())
				adResp, err := makers[p](t, app, adaptertest.Options{}).Do(req())
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 2 || got[0] != got[1] {
					t.Fatalf("the handler saw %q; want the same request from the kit and the adapter", got)
				}
				kb, _ := io.ReadAll(kitResp.Body)
				ab, _ := io.ReadAll(adResp.Body)
				if kitResp.StatusCode != adResp.StatusCode || string(kb) != string(ab) || kitResp.Header.Get("X-Order") != adResp.Header.Get("X-Order") {
					t.Errorf("kit answered %d %q (X-Order %q), adapter %d %q (X-Order %q)", kitResp.StatusCode, kb, kitResp.Header.Get("X-Order"),
						adResp.StatusCode, ab, adResp.Header.Get("X-Order"))
				}
			})
		}
	}
}
