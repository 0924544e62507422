package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
	"github.com/polyfn/polyfn/adapters/local/localtest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/examples/shop/shop"
)

// record is one message of a delivery: its id, JSON data and ordering key.
type record struct {
	id, data, key string
}

// wire tells the scenario's requests and deliveries in one platform's wire
// format, through that adapter's conformance harness (adapters/adaptertest),
// and reports what the platform would acknowledge.
type wire struct {
	h adaptertest.Harness
}

// http sends an HTTP request to the app's HTTP function, with apiKey in
// X-Api-Key unless it is empty.
func (w wire) http(t *testing.T, method, path, apiKey, body string) (int, string) {
	t.Helper()
	var h http.Header
	if apiKey != "" {
		h = http.Header{"X-Api-Key": {apiKey}}
	}
	code, _, b := w.do(t, method, path, h, body)
	return code, b
}

// do sends an HTTP request with header to the app's HTTP function and
// returns the status, the answer's header and its body.
func (w wire) do(t *testing.T, method, path string, header http.Header, body string) (int, http.Header, string) {
	t.Helper()
	r, err := http.NewRequest(method, path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		r.Header[k] = vs
	}
	resp, err := w.h.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// deliver sends records to function fn as a source of trigger kind
// delivers them, and returns the ids of those the platform would deliver
// again, sorted.
func (w wire) deliver(t *testing.T, fn string, kind core.TriggerKind, recs []record) []string {
	t.Helper()
	in := make([]adaptertest.Record, len(recs))
	for i, r := range recs {
		in[i] = adaptertest.Record{ID: r.id, Key: r.key, Data: []byte(r.data)}
	}
	d, err := w.h.DeliverRecords(context.Background(), fn, kind, in)
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	var ids []string
	for _, i := range d.Redelivered {
		ids = append(ids, recs[i].id)
	}
	sort.Strings(ids)
	return ids
}

// scenario runs the same story on any platform's wire and checks what the
// handlers did.
func scenario(t *testing.T, mk adaptertest.HarnessMaker) {
	store := shop.NewStore()
	app, err := shop.New(shop.Config{Store: store, Now: func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{shop.SettingAPIKey: "k-123"}
	if err := app.Start(context.Background(), func(k string) (string, bool) { v, ok := settings[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Stop(context.Background()) })
	// Deliveries over HTTP carry the API key: the shop guards its event
	// functions (see TestEventRoutesNeedCredentials).
	w := wire{mk(t, app, adaptertest.Options{EventHeader: http.Header{"X-Api-Key": {"k-123"}}})}
	ctx := context.Background()

	// 1. The HTTP API, behind its key.
	if code, _ := w.http(t, "POST", "/api/orders", "", `{"id":"o1","items":[{"sku":"A","qty":2}]}`); code != 401 {
		t.Fatalf("no key: status %d, want 401", code)
	}
	if code, _ := w.http(t, "POST", "/api/orders", "wrong", `{"id":"o1","items":[{"sku":"A","qty":2}]}`); code != 401 {
		t.Fatalf("wrong key: status %d, want 401", code)
	}
	if code, body := w.http(t, "POST", "/api/orders", "k-123", `{"id":"o1","items":[{"sku":"A","qty":2}]}`); code != 202 || !strings.Contains(body, `"accepted"`) {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body := w.http(t, "POST", "/api/orders", "k-123", `{"id":"o2","items":[]}`); code != 400 || !strings.Contains(body, "at least one item") {
		t.Fatalf("invalid order: %d %s", code, body)
	}
	if code, body := w.http(t, "GET", "/api/orders/o1", "k-123", ""); code != 200 || !strings.Contains(body, `"status":"accepted"`) {
		t.Fatalf("get: %d %s", code, body)
	}
	if code, body := w.http(t, "POST", "/api/orders", "k-123", `{"id":"o1","items":[{"sku":"A","qty":2}]}`); code != 409 {
		t.Fatalf("create again: %d %s, want 409", code, body)
	}

	// 2. The order queue: a bad order and an out-of-stock order fail alone.
	must(t, store.AddStock(ctx, "A", 5))
	must(t, store.AddStock(ctx, "B", 1))
	failed := w.deliver(t, "fulfil", core.TriggerQueue, []record{
		{"m1", `{"id":"o1","items":[{"sku":"A","qty":2}]}`, ""},
		{"m2", `{"id":"o2","items":[]}`, ""},
		{"m3", `{"id":"o3","items":[{"sku":"B","qty":5}]}`, ""},
		{"m4", `{"id":"o4","items":[{"sku":"A","qty":1}]}`, ""},
	})
	if want := []string{"m2", "m3"}; !reflect.DeepEqual(failed, want) {
		t.Fatalf("queue: failed %v, want %v", failed, want)
	}
	for id, want := range map[string]string{"o1": "fulfilled", "o4": "fulfilled"} {
		if o, err := store.Order(ctx, id); err != nil || o.Status != want {
			t.Errorf("order %s: %+v (%v), want %q", id, o, err, want)
		}
	}
	if got, err := store.Stock(ctx, "A"); got != 2 || err != nil {
		t.Errorf("stock of A = %d (%v), want 2", got, err)
	}

	// 3. The nightly job.
	if failed := w.deliver(t, "nightly-report", core.TriggerSchedule, []record{{"tick-1", `{}`, ""}}); len(failed) != 0 {
		t.Fatalf("schedule: failed %v", failed)
	}
	reports, err := store.Reports(ctx)
	must(t, err)
	if len(reports) != 1 || reports[0].Kind != string(core.KindScheduleFired) || reports[0].Orders["fulfilled"] != 2 {
		t.Fatalf("reports %+v", reports)
	}

	// 4. The stream: order per SKU is kept, interleaved SKUs are fine.
	var recs []record
	for i, c := range []struct {
		sku      string
		seq, del int
	}{{"A", 1, 5}, {"B", 1, 2}, {"A", 2, -1}, {"C", 1, 9}, {"B", 2, 3}, {"A", 3, 4}} {
		recs = append(recs, record{fmt.Sprint("s", i), fmt.Sprintf(`{"sku":%q,"seq":%d,"delta":%d}`, c.sku, c.seq, c.del), c.sku})
	}
	if failed := w.deliver(t, "inventory", core.TriggerStream, recs); len(failed) != 0 {
		t.Fatalf("stream: failed %v", failed)
	}
	for sku, want := range map[string]int{"A": 2 + 8, "B": 1 + 5, "C": 9} {
		if got, err := store.Stock(ctx, sku); got != want || err != nil {
			t.Errorf("stock of %s = %d (%v), want %d", sku, got, err, want)
		}
	}

	// 5. The fan-out: one order event reaches both subscribers.
	must(t, store.PutOrder(ctx, shop.Order{ID: "o9", Customer: "ada", Items: []shop.Item{{SKU: "A", Qty: 1}, {SKU: "C", Qty: 2}}}, "fulfilled"))
	placed := record{"evt-9", `{"id":"o9","customer":"ada","items":[{"sku":"A","qty":1},{"sku":"C","qty":2}]}`, ""}
	for _, fn := range []string{"notify-customer", "update-analytics"} {
		if failed := w.deliver(t, fn, core.TriggerTopic, []record{placed}); len(failed) != 0 {
			t.Fatalf("%s: failed %v", fn, failed)
		}
	}
	if o, err := store.Order(ctx, "o9"); err != nil || !o.Notified {
		t.Errorf("order o9 %+v (%v): want the customer notified", o, err)
	}
	for sku, want := range map[string]int{"A": 1, "C": 2} {
		if got, err := store.Units(ctx, sku); got != want || err != nil {
			t.Errorf("units of %s = %d (%v), want %d", sku, got, err, want)
		}
	}
	// An order the table does not hold has nothing to mark: the event is
	// taken (and logged), and no order appears.
	ghost := record{"evt-10", `{"id":"o10","customer":"bob","items":[{"sku":"A","qty":1}]}`, ""}
	if failed := w.deliver(t, "notify-customer", core.TriggerTopic, []record{ghost}); len(failed) != 0 {
		t.Fatalf("notify-customer of an unknown order: failed %v", failed)
	}
	if o, err := store.Order(ctx, "o10"); !errors.Is(err, shop.ErrNoOrder) {
		t.Errorf("order o10: %+v, %v; want none", o, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestScenarioLocal(t *testing.T) { scenario(t, localtest.NewHarness) }
func TestScenarioAWS(t *testing.T)   { scenario(t, awstest.NewHarness) }
func TestScenarioAzure(t *testing.T) { scenario(t, azuretest.NewHarness) }
func TestScenarioGCP(t *testing.T)   { scenario(t, gcptest.NewHarness) }

// TestNewNeedsAKey checks that building the App needs no setting and that
// starting it without SHOP_API_KEY fails, naming the setting, before any
// start hook runs; with the key it starts, and a bad log level is refused.
func TestNewNeedsAKey(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string // what the error names; nil for success
		missing bool     // the error wraps core.ErrMissingSetting
	}{
		{"no key", nil, []string{shop.SettingAPIKey, "required setting not set"}, true},
		{"empty key", map[string]string{shop.SettingAPIKey: ""}, []string{shop.SettingAPIKey}, true},
		{"key", map[string]string{shop.SettingAPIKey: "k-123"}, nil, false},
		{"bad log level", map[string]string{shop.SettingAPIKey: "k-123", shop.SettingLogLevel: "loud"}, []string{shop.SettingLogLevel}, false},
		{"JWKS without issuer", map[string]string{shop.SettingAPIKey: "k-123", shop.SettingJWKSURL: "https://id.example/jwks", shop.SettingJWTAudience: "shop"},
			[]string{shop.SettingJWTIssuer, "required"}, false},
		{"JWKS over http", map[string]string{shop.SettingAPIKey: "k-123", shop.SettingJWKSURL: "http://id.example/jwks", shop.SettingJWTIssuer: "i", shop.SettingJWTAudience: "shop"},
			[]string{shop.SettingJWKSURL, "https"}, false},
		{"push account without audience", map[string]string{shop.SettingAPIKey: "k-123", shop.SettingPushServiceAccount: "p@x.iam.gserviceaccount.com"},
			[]string{shop.SettingPushAudience, "required"}, false},
		{"JWT", map[string]string{shop.SettingAPIKey: "k-123", shop.SettingJWKSURL: "https://id.example/jwks", shop.SettingJWTIssuer: "i", shop.SettingJWTAudience: "shop"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := shop.New(shop.Config{})
			if err != nil {
				t.Fatalf("New needs no setting: %v", err)
			}
			err = app.Start(context.Background(), func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if err == nil {
				defer app.Stop(context.Background())
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Start: %v", err)
			case tt.wantErr != nil && err == nil:
				t.Fatalf("Start succeeded; want an error naming %v", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Start: %v; want it to name %q", err, w)
				}
			}
			if tt.missing != errors.Is(err, core.ErrMissingSetting) {
				t.Errorf("Start: %v; wraps core.ErrMissingSetting: %v, want %v", err, !tt.missing, tt.missing)
			}
		})
	}
}
