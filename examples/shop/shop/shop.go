// Package shop is a portable serverless app that exercises the five patterns
// polyfn is built for, with no cloud import in any handler:
//
//   - api: an HTTP API on net/http's ServeMux, behind a bearer JWT
//     verified against the identity provider's key set, or an API key;
//   - fulfil: an order-queue consumer; a bad order fails alone, so the
//     adapter reports a partial batch failure;
//   - nightly-report: a scheduled job;
//   - inventory: a stream consumer that keeps order per SKU;
//   - notify-customer and update-analytics: a fan-out, two functions on one topic.
//
// Every function requires credentials: the API through package auth's
// middleware, the event functions where an adapter serves them over HTTP
// (the local adapter on Cloud Run, Knative or a laptop; the Google
// adapter) through the App's event guard, so that nobody can forge a
// queue message by POSTing to /fulfil.
//
// The app declares its configuration instead of reading it in main: the
// secret SHOP_API_KEY, the plain SHOP_LOG_LEVEL (default "info"), the
// optional SHOP_JWKS_URL, SHOP_JWT_ISSUER and SHOP_JWT_AUDIENCE that turn
// JWT on, and the optional SHOP_PUSH_SERVICE_ACCOUNT and SHOP_PUSH_AUDIENCE
// that let Google's Pub/Sub push and Eventarc deliveries in. Its start hook reads them when an adapter starts it, so building
// the app and generating its manifests need none; each manifest carries them as a
// parameter or a secret reference. Functions declare their cost and
// rollout knobs (memory, timeout, instances, a canary for the API) once.
//
// The same App runs on every adapter; see ../main.go and the tests.
package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/auth"
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

// Config wires the app to its dependencies. Values that differ per
// deployment are settings instead (SettingAPIKey, SettingLogLevel).
type Config struct {
	// Store keeps the app's state; nil means a new MemoryStore.
	Store Store
	// Logger receives the app's logs, at the level SHOP_LOG_LEVEL sets
	// when Level is nil; nil discards them.
	Logger *slog.Logger
	// Level is the logger's level variable, which the start hook sets from
	// SHOP_LOG_LEVEL; nil leaves the logger's level alone.
	Level *slog.LevelVar
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// GoogleKeys is the JWK Set URL of Google's OIDC tokens; empty means
	// Google's own (jwtauth.GoogleKeys).
	GoogleKeys string
}

// The settings the app declares.
const (
	// SettingAPIKey is the secret API key: callers send it in X-Api-Key,
	// instead of a bearer token.
	SettingAPIKey = "SHOP_API_KEY"
	// SettingLogLevel is the log level: debug, info, warn or error.
	SettingLogLevel = "SHOP_LOG_LEVEL"
)

// ErrOutOfStock is returned when an order asks for more than the stock.
var ErrOutOfStock = errors.New("out of stock")

// New returns the shop App. It opens nothing: its start hook reads the
// settings when an adapter (or a test, through App.Start) starts it.
func New(cfg Config) (*core.App, error) {
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
	app.OnStart(s.start)
	app.OnStop(func(ctx context.Context) error {
		s.cfg.Logger.InfoContext(ctx, "shop stopped")
		return nil
	})
	for _, err := range []error{
		app.Setting(SettingAPIKey, core.Secret(), core.Describe("the key API callers send in X-Api-Key")),
		app.Setting(SettingLogLevel, core.Default("info"), core.Describe("log level: debug, info, warn or error")),
		app.Setting(SettingJWKSURL, core.Optional(), core.Describe("JWK Set URL of the identity provider; set it to accept bearer JWTs")),
		app.Setting(SettingJWTIssuer, core.Optional(), core.Describe("the iss bearer JWTs carry (required with "+SettingJWKSURL+")")),
		app.Setting(SettingJWTAudience, core.Optional(), core.Describe("the aud bearer JWTs carry (required with "+SettingJWKSURL+")")),
		app.Setting(SettingPushServiceAccount, core.Optional(), core.Describe("service account of Pub/Sub push and Eventarc deliveries on Google")),
		app.Setting(SettingPushAudience, core.Optional(), core.Describe("audience of their OIDC tokens (required with "+SettingPushServiceAccount+")")),
		app.HTTP("api", s.api(), core.OnHTTP("/api/"), core.WithMemory(256), core.WithInstances(0, 50),
			core.WithRollout(core.Canary(10, 5*time.Minute)), core.Public()), // it checks JWTs and API keys itself
		app.Event("fulfil", core.Typed(s.fulfil), core.OnQueue("orders").WithBatchSize(10), core.WithTimeout(2*time.Minute)),
		app.Event("nightly-report", s.nightlyReport, core.OnSchedule("0 2 * * *", "Europe/Paris"), core.WithTimeout(5*time.Minute)),
		app.Event("inventory", core.Typed(s.inventory), core.OnStream("inventory-changes"), core.WithBatchConcurrency(4),
			core.WithInstances(0, 4)),
		app.Event("notify-customer", core.Typed(s.notify), core.OnTopic("order-placed", "notify-customer")),
		app.Event("update-analytics", core.Typed(s.analytics), core.OnTopic("order-placed", "update-analytics")),
	} {
		if err != nil {
			return nil, err
		}
	}
	auth.ProtectEvents(app, deferred(&s.events))
	return app, nil
}

type shop struct {
	cfg             Config
	callers, events auth.Authenticator // set by start, before any request
}

// start reads the settings.
func (s *shop) start(ctx context.Context, cfg core.Config) error {
	api, events, err := authenticators(authSettings{key: cfg.Get(SettingAPIKey),
		jwksURL: cfg.Get(SettingJWKSURL), issuer: cfg.Get(SettingJWTIssuer), audience: cfg.Get(SettingJWTAudience),
		pushAccount: cfg.Get(SettingPushServiceAccount), pushAudience: cfg.Get(SettingPushAudience)}, s.cfg.GoogleKeys)
	if err != nil {
		return err
	}
	s.callers, s.events = api, events
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Get(SettingLogLevel))); err != nil {
		return fmt.Errorf("%s: %w", SettingLogLevel, err)
	}
	if s.cfg.Level != nil {
		s.cfg.Level.Set(level)
	}
	s.cfg.Logger.InfoContext(ctx, "shop started", "log_level", level.String(), "jwt", cfg.Get(SettingJWKSURL) != "")
	return nil
}

// api serves POST /api/orders, GET /api/orders/{id} and GET /api/whoami
// to authenticated callers.
func (s *shop) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/whoami", whoami)
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
	return auth.Require(deferred(&s.callers))(mux)
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
