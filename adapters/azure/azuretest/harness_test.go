package azuretest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
)

// TestHarnessTriggers delivers topic and schedule records, which the
// conformance suite does not, to a function that declares that trigger and
// to one the harness rebinds.
func TestHarnessTriggers(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]core.Event{}
	fn := func(_ context.Context, e core.Event) (*core.Event, error) {
		mu.Lock()
		seen[e.ID()] = e
		mu.Unlock()
		var d struct{ Fail bool }
		_ = json.Unmarshal(e.Data(), &d)
		if d.Fail {
			return nil, errors.New("asked to fail")
		}
		return nil, nil
	}
	app := core.NewApp()
	core.Must(app.Event("audit", fn, core.OnTopic("orders", "audit")))
	core.Must(app.Event("nightly", fn, core.OnSchedule("@daily", "")))
	core.Must(app.Event("orders", fn, core.OnQueue("orders")))
	h := azuretest.NewHarness(t, app, adaptertest.Options{})
	recs := []adaptertest.Record{
		{ID: "r0", Key: "s1", Data: []byte(`{}`)},
		{ID: "r1", Key: "s1", Data: []byte(`{"fail":true}`)},
		{ID: "r2", Key: "s1", Data: []byte(`{}`)},
		{ID: "r3", Key: "s2", Data: []byte(`{}`)},
	}
	tests := []struct {
		fn      string
		trigger core.TriggerKind
		recs    []adaptertest.Record
		kind    core.EventKind
		redeliv []int
		ran     []string
	}{
		{"audit", core.TriggerTopic, recs, core.KindTopicMessage, []int{1, 2}, []string{"r0", "r1", "r3"}},
		{"orders", core.TriggerTopic, recs, core.KindTopicMessage, []int{1, 2}, []string{"r0", "r1", "r3"}},
		{"nightly", core.TriggerSchedule, recs[:1], core.KindScheduleFired, nil, []string{"r0"}},
		{"orders", core.TriggerSchedule, recs[:1], core.KindScheduleFired, nil, []string{"r0"}},
	}
	for _, tt := range tests {
		t.Run(tt.fn+"/"+string(tt.trigger), func(t *testing.T) {
			mu.Lock()
			clear(seen)
			mu.Unlock()
			d, err := h.DeliverRecords(context.Background(), tt.fn, tt.trigger, tt.recs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Redelivered, tt.redeliv) {
				t.Errorf("redelivered %v, want %v", d.Redelivered, tt.redeliv)
			}
			mu.Lock()
			defer mu.Unlock()
			var ran []string
			for id, e := range seen {
				ran = append(ran, id)
				if core.EventKindOf(e) != tt.kind {
					t.Errorf("%s arrived as kind %q, want %q", id, core.EventKindOf(e), tt.kind)
				}
			}
			slices.Sort(ran)
			if !slices.Equal(ran, tt.ran) {
				t.Errorf("ran %v, want %v", ran, tt.ran)
			}
		})
	}
	if _, err := h.DeliverRecords(context.Background(), "orders", core.TriggerStorage, recs); err == nil {
		t.Error("storage records: no error")
	}
	if _, err := h.Deliver(context.Background(), "nosuch", core.NewEvent("x", "/s", "t", "", nil)); err == nil {
		t.Error("Deliver to an unknown function: no error")
	}
}

// TestHarnessForwarding: an App of HTTP functions only is forwarded, as the
// generated host.json asks, and the harness's Do reaches it raw.
func TestHarnessForwarding(t *testing.T) {
	app := core.NewApp()
	core.Must(app.HTTP("hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(http.StatusAccepted)
	}), core.OnHTTP("/hello/{name}")))
	h := azuretest.NewHarness(t, app, adaptertest.Options{})
	r, _ := http.NewRequest("GET", "/hello/you", nil)
	resp, err := h.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || len(resp.Header.Values("X-Multi")) != 2 {
		t.Errorf("forwarded answer %d %v", resp.StatusCode, resp.Header)
	}
	r, _ = http.NewRequest("GET", "/nowhere", nil)
	if resp, err := h.Do(r); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unrouted request: %v %v", resp, err)
	}
}
