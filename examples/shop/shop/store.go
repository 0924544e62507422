package shop

import (
	"context"
	"fmt"
	"sync"
)

// Store is the shop's state. A deployment backs it with a database; the
// example and its tests use MemoryStore.
type Store interface {
	PutOrder(ctx context.Context, id, status string)
	OrderStatus(ctx context.Context, id string) (string, bool)
	CountOrders(ctx context.Context) map[string]int
	Stock(ctx context.Context, sku string) int
	AddStock(ctx context.Context, sku string, delta int)
	ApplyChange(ctx context.Context, c StockChange) error
	SaveReport(ctx context.Context, r Report)
	Record(ctx context.Context, who, what string)
}

// MemoryStore is an in-memory Store, safe for concurrent use.
type MemoryStore struct {
	mu      sync.Mutex
	orders  map[string]string
	stock   map[string]int
	lastSeq map[string]int
	reports []Report
	seen    map[string][]string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{orders: map[string]string{}, stock: map[string]int{}, lastSeq: map[string]int{}, seen: map[string][]string{}}
}

// PutOrder sets an order's status.
func (m *MemoryStore) PutOrder(_ context.Context, id, status string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.orders[id] = status
}

// OrderStatus returns an order's status.
func (m *MemoryStore) OrderStatus(_ context.Context, id string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.orders[id]
	return s, ok
}

// CountOrders counts orders by status.
func (m *MemoryStore) CountOrders(context.Context) map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := map[string]int{}
	for _, s := range m.orders {
		c[s]++
	}
	return c
}

// Stock returns the stock of sku.
func (m *MemoryStore) Stock(_ context.Context, sku string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stock[sku]
}

// AddStock changes the stock of sku by delta.
func (m *MemoryStore) AddStock(_ context.Context, sku string, delta int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stock[sku] += delta
}

// ApplyChange applies c if it is the next change of its SKU, and fails otherwise.
func (m *MemoryStore) ApplyChange(_ context.Context, c StockChange) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if want := m.lastSeq[c.SKU] + 1; c.Seq != want {
		return fmt.Errorf("stock change for %s: seq %d arrived, want %d", c.SKU, c.Seq, want)
	}
	m.lastSeq[c.SKU] = c.Seq
	m.stock[c.SKU] += c.Delta
	return nil
}

// SaveReport stores a report.
func (m *MemoryStore) SaveReport(_ context.Context, r Report) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reports = append(m.reports, r)
}

// Reports returns the reports saved so far.
func (m *MemoryStore) Reports() []Report {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Report(nil), m.reports...)
}

// Record notes that who handled what.
func (m *MemoryStore) Record(_ context.Context, who, what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[who] = append(m.seen[who], what)
}

// Seen returns what who handled, in order.
func (m *MemoryStore) Seen(who string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.seen[who]...)
}
