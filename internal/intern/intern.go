// Package intern caches values derived from strings that repeat from one
// event to the next (event sources, header names), so that the hot path does
// not parse or allocate them again.
package intern

import (
	"sync"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/types"
)

// Cache maps strings to values computed from them. It holds at most Max
// entries and then computes without storing, so that untrusted input cannot
// grow it without bound. The zero value is not usable; use New.
// A Cache is safe for concurrent use.
type Cache[V any] struct {
	m       sync.Map // string -> V
	n       atomic.Int32
	max     int32
	compute func(string) (V, bool)
}

// New returns a cache of at most max entries. compute derives a value and
// reports whether it may be cached (an error result should not be).
func New[V any](max int, compute func(string) (V, bool)) *Cache[V] {
	return &Cache[V]{max: int32(max), compute: compute}
}

// Get returns the value for key, computing it on a miss.
func (c *Cache[V]) Get(key string) (V, bool) {
	if v, ok := c.m.Load(key); ok {
		return v.(V), true
	}
	v, ok := c.compute(key)
	if ok && c.n.Load() < c.max && c.n.Add(1) <= c.max {
		c.m.Store(key, v)
	}
	return v, ok
}

// sourceRefs caches parsed event sources: a producer sends the same few.
var sourceRefs = New(512, func(s string) (types.URIRef, bool) {
	u := types.ParseURIRef(s)
	if u == nil {
		return types.URIRef{}, false
	}
	return *u, true
})

// SourceRef returns s parsed as a URI-reference, from the cache when it was
// seen before. The url.URL inside is shared: callers must not change it.
func SourceRef(s string) (types.URIRef, bool) { return sourceRefs.Get(s) }
