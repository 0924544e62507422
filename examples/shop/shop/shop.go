// Package shop is a portable serverless app that exercises the five patterns
// polyfn is built for, with no cloud import in any handler:
//
//   - api: an HTTP API on net/http's ServeMux, behind an API key
//     (compared in constant time);
//   - fulfil: an order-queue consumer; a bad order fails alone, so the
//     adapter reports a partial batch failure;
//   - nightly-report: a scheduled job;
//   - inventory: a stream consumer that keeps order per SKU;
//   - notify-customer and update-analytics: a fan-out, two functions on one topic.
//
// The same App runs on every adapter; see ../main.go and the tests.
package shop

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Order is what the API accepts and the queue carries.
type Order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Items    []Item `json:"items"`
}

// Item is one line of an order.
type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// StockChange is one record of the inventory stream. Seq grows by one per SKU.
type StockChange struct {
	SKU   string `json:"sku"`
	Delta int    `json:"delta"`
	Seq   int    `json:"seq"`
}

// Config wires the app to its dependencies.
type Config struct {
	// APIKey guards the HTTP API; it must not be empty.
	APIKey string
	// Store keeps the app's state; nil means a new MemoryStore.
	Store Store
	// Logger receives the app's logs; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// ErrOutOfStock is returned when an order asks for more than the stock.
var ErrOutOfStock = errors.New("out of stock")

// New returns the shop App.
func New(cfg Config) (*core.App, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("shop: an API key is required")
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &shop{cfg: cfg}
	app := core.NewApp()
	for _, err := range []error{
		app.HTTP("api", s.api(), core.OnHTTP("/api/")),
		app.Event("fulfil", core.Typed(s.fulfil), core.OnQueue("orders").WithBatchSize(10)),
		app.Event("nightly-report", s.nightlyReport, core.OnSchedule("0 2 * * *", "Europe/Paris")),
		app.Event("inventory", core.Typed(s.inventory), core.OnStream("inventory-changes"), core.WithBatchConcurrency(4)),
		app.Event("notify-customer", core.Typed(s.notify), core.OnTopic("order-placed", "notify-customer")),
		app.Event("update-analytics", core.Typed(s.analytics), core.OnTopic("order-placed", "update-analytics")),
	} {
		if err != nil {
			return nil, err
		}
	}
	return app, nil
}

type shop struct{ cfg Config }

// api serves POST /api/orders and GET /api/orders/{id}.
func (s *shop) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/orders", func(w http.ResponseWriter, r *http.Request) {
		var o Order
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "order: " + err.Error()})
			return
		}
		if err := validate(o); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		s.cfg.Store.PutOrder(r.Context(), o.ID, "accepted")
		writeJSON(w, http.StatusAccepted, map[string]string{"id": o.ID, "status": "accepted"})
	})
	mux.HandleFunc("GET /api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		status, ok := s.cfg.Store.OrderStatus(r.Context(), r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such order"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": status})
	})
	return s.requireKey(mux)
}

// requireKey rejects requests whose X-Api-Key header is not the configured
// key. The comparison takes the same time whatever the key's content.
func (s *shop) requireKey(next http.Handler) http.Handler {
	want := []byte(s.cfg.APIKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("X-Api-Key"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong X-Api-Key"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func validate(o Order) error {
	if o.ID == "" || len(o.Items) == 0 {
		return fmt.Errorf("order %q: an id and at least one item are required", o.ID)
	}
	for _, it := range o.Items {
		if it.SKU == "" || it.Qty <= 0 {
			return fmt.Errorf("order %q: item %+v needs a SKU and a positive quantity", o.ID, it)
		}
	}
	return nil
}

// fulfil takes one queued order. An invalid order fails permanently (the
// cloud dead-letters it); missing stock fails it for a retry.
func (s *shop) fulfil(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	if err := validate(o); err != nil {
		return nil, core.Permanent(err)
	}
	for _, it := range o.Items {
		if s.cfg.Store.Stock(ctx, it.SKU) < it.Qty {
			return nil, fmt.Errorf("order %s, %s: %w", o.ID, it.SKU, ErrOutOfStock)
		}
	}
	for _, it := range o.Items {
		s.cfg.Store.AddStock(ctx, it.SKU, -it.Qty)
	}
	s.cfg.Store.PutOrder(ctx, o.ID, "fulfilled")
	s.cfg.Logger.InfoContext(ctx, "order fulfilled", "order", o.ID, "via", core.InvocationFrom(ctx).Provider)
	return nil, nil
}

// nightlyReport summarizes the orders; it is the scheduled job.
func (s *shop) nightlyReport(ctx context.Context, e core.Event) (*core.Event, error) {
	counts := s.cfg.Store.CountOrders(ctx)
	s.cfg.Store.SaveReport(ctx, Report{At: s.cfg.Now().UTC(), Orders: counts, Kind: string(core.EventKindOf(e))})
	return nil, nil
}

// Report is what the nightly job writes.
type Report struct {
	At     time.Time
	Kind   string
	Orders map[string]int
}

// inventory applies stock changes. Records of one SKU must arrive in Seq
// order; a gap fails the record so the stream redelivers from it.
func (s *shop) inventory(ctx context.Context, e core.Event, c StockChange) (*core.Event, error) {
	if c.SKU == "" {
		return nil, core.Permanentf("stock change %s: no SKU", e.ID())
	}
	if err := s.cfg.Store.ApplyChange(ctx, c); err != nil {
		return nil, err
	}
	return nil, nil
}

// notify and analytics are the two subscribers of the order-placed topic.
func (s *shop) notify(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	s.cfg.Store.Record(ctx, "notify-customer", fmt.Sprintf("%s:%s", o.ID, o.Customer))
	return nil, nil
}

func (s *shop) analytics(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	n := 0
	for _, it := range o.Items {
		n += it.Qty
	}
	s.cfg.Store.Record(ctx, "update-analytics", fmt.Sprintf("%s:%d", o.ID, n))
	return nil, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
