package main

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/polyfntest"
	"github.com/polyfn/polyfn/examples/shop/shop"
)

// The README's "Test your functions" section shows these tests: the shop's
// functions run by the test kit as each provider's adapter runs them,
// without a cloud, an emulator or a server.

// TestFulfil checks each queued order's outcome on every provider: a bad
// order fails for good (dead-lettered), one out of stock fails for a
// retry, and the good ones are fulfilled.
func TestFulfil(t *testing.T) {
	for _, p := range polyfntest.Providers {
		t.Run(string(p), func(t *testing.T) {
			store := shop.NewStore()
			app, err := shop.New(shop.Config{Store: store})
			if err != nil {
				t.Fatal(err)
			}
			polyfntest.Start(t, app, map[string]string{shop.SettingAPIKey: "k-123"})
			if err := store.AddStock(context.Background(), "A", 5); err != nil {
				t.Fatal(err)
			}

			kit := polyfntest.New(t, app, p)
			kit.Run(kit.Queue("fulfil",
				polyfntest.Msg(`{"id":"o1","items":[{"sku":"A","qty":2}]}`),
				polyfntest.Msg(`{"id":"o2","items":[]}`),
				polyfntest.Msg(`{"id":"o3","items":[{"sku":"A","qty":9}]}`),
			)).Expect(polyfntest.OK, polyfntest.Permanent, polyfntest.Retryable)

			if o, err := store.Order(context.Background(), "o1"); err != nil || o.Status != "fulfilled" {
				t.Errorf("order o1 is %+v (%v), want fulfilled", o, err)
			}
			if got, err := store.Stock(context.Background(), "A"); got != 3 || err != nil {
				t.Errorf("stock of A = %d (%v), want 3", got, err)
			}
		})
	}
}

// TestNightlyReport checks that the schedule reaches the job as a
// schedule.fired event on every provider.
func TestNightlyReport(t *testing.T) {
	for _, p := range polyfntest.Providers {
		t.Run(string(p), func(t *testing.T) {
			store := shop.NewStore()
			app, err := shop.New(shop.Config{Store: store})
			if err != nil {
				t.Fatal(err)
			}
			polyfntest.Start(t, app, map[string]string{shop.SettingAPIKey: "k-123"})
			kit := polyfntest.New(t, app, p)
			kit.Run(kit.Schedule("nightly-report")).Expect(polyfntest.OK)
			if r, err := store.Reports(context.Background()); len(r) != 1 || r[0].Kind != "schedule.fired" {
				t.Errorf("reports %+v (%v), want one from a schedule.fired event", r, err)
			}
		})
	}
}

// TestInventoryOrder checks that a gap in a SKU's sequence fails that
// record and holds back the SKU's later records, as the stream redelivers
// them, while other SKUs go on.
func TestInventoryOrder(t *testing.T) {
	store := shop.NewStore()
	app, err := shop.New(shop.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	polyfntest.Start(t, app, map[string]string{shop.SettingAPIKey: "k-123"})
	kit := polyfntest.New(t, app, polyfntest.Azure)
	kit.Run(kit.Stream("inventory",
		polyfntest.Keyed("A", `{"sku":"A","seq":1,"delta":5}`),
		polyfntest.Keyed("B", `{"sku":"B","seq":2,"delta":1}`), // B's seq 1 is missing
		polyfntest.Keyed("B", `{"sku":"B","seq":3,"delta":1}`),
		polyfntest.Keyed("A", `{"sku":"A","seq":2,"delta":-1}`),
	)).Expect(polyfntest.OK, polyfntest.Retryable, polyfntest.Skipped, polyfntest.OK)
	if got, err := store.Stock(context.Background(), "A"); got != 4 || err != nil {
		t.Errorf("stock of A = %d (%v), want 4", got, err)
	}
}

// TestAPIKey checks the API behind its key, with the request as each
// provider's HTTP front end hands it over.
func TestAPIKey(t *testing.T) {
	tests := []struct {
		key  string
		want int
	}{{"", 401}, {"wrong", 401}, {"k-123", 202}}
	for _, p := range polyfntest.Providers {
		app, err := shop.New(shop.Config{})
		if err != nil {
			t.Fatal(err)
		}
		polyfntest.Start(t, app, map[string]string{shop.SettingAPIKey: "k-123"})
		kit := polyfntest.New(t, app, p)
		for _, tt := range tests {
			r := httptest.NewRequest("POST", "/api/orders", strings.NewReader(`{"id":"o1","items":[{"sku":"A","qty":1}]}`))
			r.Header.Set("X-Api-Key", tt.key)
			resp := kit.ServeHTTP("api", r)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Errorf("%s, key %q: %d %s, want %d", p, tt.key, resp.StatusCode, body, tt.want)
			}
		}
	}
}
