package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"gocloud.dev/docstore"
	"gocloud.dev/gcerrors"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/resource"
)

// The resources the shop declares. Each function uses only those it needs
// (see New); the manifests create them and grant exactly those rights.
var (
	// OrdersQueue carries accepted orders from the API to fulfilment.
	OrdersQueue = core.Queue("orders")
	// OrderPlaced is the fan-out topic fulfilment publishes to.
	OrderPlaced = core.Topic("order-placed")
	// OrdersTable holds the orders, keyed by "id".
	OrdersTable = core.Table("orders")
	// StockTable holds the stock per SKU, keyed by "sku".
	StockTable = core.Table("stock").WithKey("sku")
	// AnalyticsTable holds the units sold per SKU, keyed by "sku".
	AnalyticsTable = core.Table("analytics").WithKey("sku")
	// ReportsBucket holds the nightly reports, reports/YYYY-MM-DD.json.
	ReportsBucket = core.Bucket("reports")
)

// OrderRecord is an order as the orders table holds it and the API shows it.
type OrderRecord struct {
	ID       string `docstore:"id" json:"id"`
	Customer string `docstore:"customer" json:"customer"`
	Items    []Item `docstore:"items" json:"items"`
	Status   string `docstore:"status" json:"status"`
	Notified bool   `docstore:"notified" json:"notified"`
}

type stockRecord struct {
	SKU string `docstore:"sku"`
	Qty int    `docstore:"qty"`
	Seq int    `docstore:"seq"` // the last stock change applied
}

type unitsRecord struct {
	SKU   string `docstore:"sku"`
	Units int    `docstore:"units"`
}

// ErrNoOrder is wrapped by the error of reading an order that does not exist.
var ErrNoOrder = errors.New("no such order")

// Store is the shop's state, in the resources the App declares: tables and
// a bucket that are DynamoDB, Cosmos DB or Firestore and S3, Blob Storage
// or Cloud Storage when deployed, and in memory on a laptop. New binds it
// to its App; use it after New.
type Store struct {
	rs *resource.Resources
}

// NewStore returns a Store for Config.Store, which New binds to the App's
// resources.
func NewStore() *Store { return &Store{} }

func (s *Store) table(ctx context.Context, r core.Resource) (*docstore.Collection, error) {
	if s.rs == nil {
		return nil, errors.New("shop: the store is not bound to an App (shop.New binds it)")
	}
	return s.rs.Table(ctx, r.Name)
}

// CreateOrder stores a new order with status; an order with the same id
// is an error wrapping gcerrors.AlreadyExists's docstore error.
func (s *Store) CreateOrder(ctx context.Context, o Order, status string) error {
	t, err := s.table(ctx, OrdersTable)
	if err != nil {
		return err
	}
	return t.Create(ctx, &OrderRecord{ID: o.ID, Customer: o.Customer, Items: o.Items, Status: status})
}

// PutOrder stores o with status, replacing what the table held.
func (s *Store) PutOrder(ctx context.Context, o Order, status string) error {
	t, err := s.table(ctx, OrdersTable)
	if err != nil {
		return err
	}
	return t.Put(ctx, &OrderRecord{ID: o.ID, Customer: o.Customer, Items: o.Items, Status: status})
}

// Order returns an order; the error wraps ErrNoOrder when there is none.
func (s *Store) Order(ctx context.Context, id string) (OrderRecord, error) {
	t, err := s.table(ctx, OrdersTable)
	if err != nil {
		return OrderRecord{}, err
	}
	rec := OrderRecord{ID: id}
	if err := t.Get(ctx, &rec); err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return OrderRecord{}, fmt.Errorf("order %s: %w", id, ErrNoOrder)
		}
		return OrderRecord{}, err
	}
	return rec, nil
}

// MarkNotified records that the customer of order id was notified.
func (s *Store) MarkNotified(ctx context.Context, id string) error {
	t, err := s.table(ctx, OrdersTable)
	if err != nil {
		return err
	}
	err = t.Update(ctx, &OrderRecord{ID: id}, docstore.Mods{"notified": true})
	if absent(err) {
		return fmt.Errorf("order %s: %w", id, ErrNoOrder)
	}
	return err
}

// CountOrders counts the orders by status.
func (s *Store) CountOrders(ctx context.Context) (map[string]int, error) {
	t, err := s.table(ctx, OrdersTable)
	if err != nil {
		return nil, err
	}
	it := t.Query().Get(ctx, "id", "status")
	defer it.Stop()
	c := map[string]int{}
	for {
		var rec OrderRecord
		err := it.Next(ctx, &rec)
		if err == io.EOF {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		c[rec.Status]++
	}
}

// Stock returns the stock of sku.
func (s *Store) Stock(ctx context.Context, sku string) (int, error) {
	rec, err := s.stock(ctx, sku)
	return rec.Qty, err
}

func (s *Store) stock(ctx context.Context, sku string) (stockRecord, error) {
	t, err := s.table(ctx, StockTable)
	if err != nil {
		return stockRecord{}, err
	}
	rec := stockRecord{SKU: sku}
	if err := t.Get(ctx, &rec); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return stockRecord{}, err
	}
	return rec, nil
}

// AddStock changes the stock of sku by delta.
func (s *Store) AddStock(ctx context.Context, sku string, delta int) error {
	t, err := s.table(ctx, StockTable)
	if err != nil {
		return err
	}
	return increment(ctx, t, &stockRecord{SKU: sku, Qty: delta}, &stockRecord{SKU: sku}, "qty", delta)
}

// ApplyChange applies c if it is the next change of its SKU, and fails
// otherwise: the stream keeps order per SKU, and redelivers.
func (s *Store) ApplyChange(ctx context.Context, c StockChange) error {
	t, err := s.table(ctx, StockTable)
	if err != nil {
		return err
	}
	rec, err := s.stock(ctx, c.SKU)
	if err != nil {
		return err
	}
	if want := rec.Seq + 1; c.Seq != want {
		return fmt.Errorf("stock change for %s: seq %d arrived, want %d", c.SKU, c.Seq, want)
	}
	rec.Seq, rec.Qty = c.Seq, rec.Qty+c.Delta
	return t.Put(ctx, &rec)
}

// AddUnits adds n to the units sold of sku.
func (s *Store) AddUnits(ctx context.Context, sku string, n int) error {
	t, err := s.table(ctx, AnalyticsTable)
	if err != nil {
		return err
	}
	return increment(ctx, t, &unitsRecord{SKU: sku, Units: n}, &unitsRecord{SKU: sku}, "units", n)
}

// Units returns the units sold of sku.
func (s *Store) Units(ctx context.Context, sku string) (int, error) {
	t, err := s.table(ctx, AnalyticsTable)
	if err != nil {
		return 0, err
	}
	rec := unitsRecord{SKU: sku}
	if err := t.Get(ctx, &rec); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return 0, err
	}
	return rec.Units, nil
}

// increment adds n to field of the document key names, creating it as
// fresh when it does not exist.
func increment(ctx context.Context, t *docstore.Collection, fresh, key docstore.Document, field string, n int) error {
	for range 3 {
		err := t.Update(ctx, key, docstore.Mods{docstore.FieldPath(field): docstore.Increment(n)})
		if !absent(err) {
			return err
		}
		err = t.Create(ctx, fresh)
		if gcerrors.Code(err) != gcerrors.AlreadyExists {
			return err
		}
	}
	return fmt.Errorf("increment %s: the document keeps changing", field)
}

// absent reports whether err is an Update's of a document that does not
// exist: NotFound, or FailedPrecondition where the driver makes the update
// conditional on the document's existence (DynamoDB).
func absent(err error) bool {
	c := gcerrors.Code(err)
	return err != nil && (c == gcerrors.NotFound || c == gcerrors.FailedPrecondition)
}

// SaveReport writes r to the reports bucket, at reports/YYYY-MM-DD.json.
func (s *Store) SaveReport(ctx context.Context, r Report) error {
	if s.rs == nil {
		return errors.New("shop: the store is not bound to an App (shop.New binds it)")
	}
	b, err := s.rs.Bucket(ctx, ReportsBucket.Name)
	if err != nil {
		return err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.WriteAll(ctx, "reports/"+r.At.Format("2006-01-02")+".json", body, nil)
}

// Reports returns the reports in the bucket, oldest first.
func (s *Store) Reports(ctx context.Context) ([]Report, error) {
	if s.rs == nil {
		return nil, errors.New("shop: the store is not bound to an App (shop.New binds it)")
	}
	b, err := s.rs.Bucket(ctx, ReportsBucket.Name)
	if err != nil {
		return nil, err
	}
	var out []Report
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := b.ReadAll(ctx, obj.Key)
		if err != nil {
			return nil, err
		}
		var r Report
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("report %s: %w", obj.Key, err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
