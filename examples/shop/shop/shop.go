// Package shop is a portable serverless app that exercises the five patterns
// polyfn is built for, with no cloud import in any handler:
//
//   - api: an HTTP API on net/http's ServeMux, behind a bearer JWT
//     verified against the identity provider's key set, or an API key. POST
//     /api/orders stores the order in the orders table and sends it to the
//     orders queue (202); GET /api/orders/{id} shows it;
//   - fulfil: the orders queue's consumer, once per event (idempotency):
//     it reserves the stock, marks the order fulfilled and publishes
//     order-placed; a bad order fails alone, so the adapter reports a
//     partial batch failure;
//   - nightly-report: a scheduled job that writes a report to the reports
//     bucket;
//   - inventory: a stream consumer that keeps order per SKU;
//   - notify-customer and update-analytics: a fan-out, two functions on
//     the order-placed topic.
//
// Every function declares the resources it uses, and nothing more
// (core.Uses): the manifests create them and grant exactly those rights,
// and package core/resource opens them from the URLs the manifests set.
// On a laptop, without URLs, tables and the bucket are in memory and the
// queue and the topic deliver in process: the whole flow runs without a
// cloud.
//
// Every function requires credentials: the API through package auth's
// middleware, the event functions where an adapter serves them over HTTP
// (the local adapter on Cloud Run, Knative or a laptop; the Google
// adapter) through the App's event guard, so that nobody can forge a
// queue message by POSTing to /fulfil. Events delivered in process by the
// local adapter come from the App itself.
//
// The app declares its configuration instead of reading it in main: the
// secret SHOP_API_KEY, the plain SHOP_LOG_LEVEL (default "info"), the
// optional SHOP_JWKS_URL, SHOP_JWT_ISSUER and SHOP_JWT_AUDIENCE that turn
// JWT on, and the optional SHOP_PUSH_SERVICE_ACCOUNT and SHOP_PUSH_AUDIENCE
// that let Google's Pub/Sub push and Eventarc deliveries in. Its start
// hook reads them when an adapter starts it, so building the app and
// generating its manifests need none; each manifest carries them as a
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
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
	"github.com/polyfn/polyfn/core/resource"
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
// deployment are settings instead (SettingAPIKey, SettingLogLevel), and
// resources' URLs arrive in their environment variables (package
// core/resource).
type Config struct {
	// Store keeps the app's state; nil means a new Store. New binds it to
	// the App's resources.
	Store *Store
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

// The CloudEvents the shop publishes.
const (
	// TypeOrderAccepted is the event the API sends to the orders queue.
	TypeOrderAccepted = "com.example.shop.order.accepted"
	// TypeOrderPlaced is the event fulfilment publishes to order-placed.
	TypeOrderPlaced = "com.example.shop.order.placed"
)

// ErrOutOfStock is returned when an order asks for more than the stock.
var ErrOutOfStock = errors.New("out of stock")

// New returns the shop App. It opens nothing: its start hook reads the
// settings when an adapter (or a test, through App.Start) starts it, and
// each resource opens on first use.
func New(cfg Config) (*core.App, error) {
	if cfg.Store == nil {
		cfg.Store = NewStore()
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
			core.WithRollout(core.Canary(10, 5*time.Minute)), core.Public(), // it checks JWTs and API keys itself
			core.Uses(OrdersQueue, core.Publish), core.Uses(OrdersTable, core.Read, core.Write)),
		app.Event("fulfil", idempotency.New(docstore.OnStart(app))(core.Typed(s.fulfil)), core.OnQueue(OrdersQueue.Name).WithBatchSize(10),
			core.WithTimeout(2*time.Minute), idempotency.Uses(),
			core.Uses(OrdersTable, core.Read, core.Write), core.Uses(StockTable, core.Read, core.Write), core.Uses(OrderPlaced, core.Publish)),
		app.Event("nightly-report", s.nightlyReport, core.OnSchedule("0 2 * * *", "Europe/Paris"), core.WithTimeout(5*time.Minute),
			core.Uses(OrdersTable, core.Read), core.Uses(ReportsBucket, core.Write)),
		app.Event("inventory", core.Typed(s.inventory), core.OnStream("inventory-changes"), core.WithBatchConcurrency(4),
			core.WithInstances(0, 4), core.Uses(StockTable, core.Read, core.Write)),
		app.Event("notify-customer", core.Typed(s.notify), core.OnTopic(OrderPlaced.Name, "notify-customer"),
			core.Uses(OrdersTable, core.Read, core.Write)),
		app.Event("update-analytics", core.Typed(s.analytics), core.OnTopic(OrderPlaced.Name, "update-analytics"),
			core.Uses(AnalyticsTable, core.Read, core.Write)),
	} {
		if err != nil {
			return nil, err
		}
	}
	s.rs = resource.Open(app)
	cfg.Store.rs = s.rs
	auth.ProtectEvents(app, deferred(&s.events))
	return app, nil
}

type shop struct {
	cfg             Config
	rs              *resource.Resources
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

// fulfil takes one queued order, once per event (idempotency): it reserves
// the stock, marks the order fulfilled and publishes order-placed. An
// invalid order fails permanently (the cloud dead-letters it); missing
// stock fails it for a retry.
func (s *shop) fulfil(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	if err := validate(o); err != nil {
		return nil, core.Permanent(err)
	}
	for _, it := range o.Items {
		n, err := s.cfg.Store.Stock(ctx, it.SKU)
		if err != nil {
			return nil, err
		}
		if n < it.Qty {
			return nil, fmt.Errorf("order %s, %s: %w", o.ID, it.SKU, ErrOutOfStock)
		}
	}
	for _, it := range o.Items {
		if err := s.cfg.Store.AddStock(ctx, it.SKU, -it.Qty); err != nil {
			return nil, err
		}
	}
	if err := s.cfg.Store.PutOrder(ctx, o, "fulfilled"); err != nil {
		return nil, err
	}
	if err := s.send(ctx, OrderPlaced, "placed-"+o.ID, "/shop/fulfil", TypeOrderPlaced, o); err != nil {
		return nil, err
	}
	s.cfg.Logger.InfoContext(ctx, "order fulfilled", "order", o.ID, "via", core.InvocationFrom(ctx).Provider)
	return nil, nil
}

// nightlyReport counts the orders by status and writes the report to the
// reports bucket; it is the scheduled job.
func (s *shop) nightlyReport(ctx context.Context, e core.Event) (*core.Event, error) {
	counts, err := s.cfg.Store.CountOrders(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.SaveReport(ctx, Report{At: s.cfg.Now().UTC(), Orders: counts, Kind: string(core.EventKindOf(e))})
}

// Report is what the nightly job writes.
type Report struct {
	At     time.Time      `json:"at"`
	Kind   string         `json:"kind"`
	Orders map[string]int `json:"orders"`
}

// inventory applies stock changes. Records of one SKU must arrive in Seq
// order; a gap fails the record so the stream redelivers from it.
func (s *shop) inventory(ctx context.Context, e core.Event, c StockChange) (*core.Event, error) {
	if c.SKU == "" {
		return nil, core.Permanentf("stock change %s: no SKU", e.ID())
	}
	return nil, s.cfg.Store.ApplyChange(ctx, c)
}

// notify and analytics are the two subscribers of the order-placed topic.
// notify tells the customer and marks the order notified; an order the
// table does not hold (an event that fulfilment did not publish) has
// nothing to mark, which is logged, not retried.
func (s *shop) notify(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	if o.ID == "" {
		s.cfg.Logger.WarnContext(ctx, "order-placed event without an order id", "event", e.ID())
		return nil, nil
	}
	if err := s.cfg.Store.MarkNotified(ctx, o.ID); err != nil {
		if errors.Is(err, ErrNoOrder) {
			s.cfg.Logger.WarnContext(ctx, "customer notified of an unknown order", "order", o.ID, "customer", o.Customer)
			return nil, nil
		}
		return nil, err
	}
	s.cfg.Logger.InfoContext(ctx, "customer notified", "order", o.ID, "customer", o.Customer)
	return nil, nil
}

func (s *shop) analytics(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	for _, it := range o.Items {
		if err := s.cfg.Store.AddUnits(ctx, it.SKU, it.Qty); err != nil {
			return nil, err
		}
	}
	s.cfg.Logger.InfoContext(ctx, "analytics updated", "order", o.ID)
	return nil, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
