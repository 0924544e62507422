package idempotency

import (
	"container/list"
	"sync"
	"time"
)

// cache keeps the most recently used completed records, up to size.
type cache struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *Record, most recently used first
	byKey map[string]*list.Element
}

func newCache(size int) *cache {
	return &cache{size: size, order: list.New(), byKey: make(map[string]*list.Element, size)}
}

// get returns the completed record of key, if the cache holds one that has
// not expired at now.
func (c *cache) get(key string, now time.Time) (*Record, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	rec := el.Value.(*Record)
	if rec.State(now) != StatusCompleted {
		c.order.Remove(el)
		delete(c.byKey, key)
		return nil, false
	}
	c.order.MoveToFront(el)
	return rec, true
}

// put adds a completed record, evicting the least recently used one when
// the cache is full.
func (c *cache) put(rec *Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[rec.Key]; ok {
		el.Value = rec
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*Record).Key)
	}
	c.byKey[rec.Key] = c.order.PushFront(rec)
}
