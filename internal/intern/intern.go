// Package intern keeps one copy of strings that repeat from one event to
// the next (member names, event sources, header names), so that the hot path
// does not parse or allocate them again: a Set for names known in advance,
// a Cache, bounded, for values computed from what arrives.
package intern

import (
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/types"
)

// Cache maps strings to values computed from them. It holds at most Max
// entries and then computes without storing, so that untrusted input cannot
// grow it without bound. It keeps copies of its keys: a key may be a view
// of memory the caller reuses (a request's head). The zero value is not
// usable; use New. A Cache is safe for concurrent use.
type Cache[V any] struct {
	m       sync.Map // string -> *entry[V]
	last    atomic.Pointer[entry[V]]
	n       atomic.Int32
	max     int32
	compute func(string) (V, bool)
}

// entry is a cached key and its value.
type entry[V any] struct {
	key string
	val V
}

// New returns a cache of at most max entries. compute derives a value and
// reports whether it may be cached (an error result should not be).
func New[V any](max int, compute func(string) (V, bool)) *Cache[V] {
	return &Cache[V]{max: int32(max), compute: compute}
}

// Get returns the value for key, computing it on a miss. The key asked
// last is answered first, without hashing: a stream of events tends to
// repeat the same source.
func (c *Cache[V]) Get(key string) (V, bool) {
	last := c.last.Load()
	if last != nil && last.key == key {
		return last.val, true
	}
	if e, ok := c.m.Load(key); ok {
		c.last.Store(e.(*entry[V]))
		return e.(*entry[V]).val, true
	}
	v, ok := c.compute(key)
	if ok && c.n.Load() < c.max && c.n.Add(1) <= c.max {
		key = strings.Clone(key)
		c.m.Store(key, &entry[V]{key, v})
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

// A Set interns a fixed set of strings known in advance, such as the
// member names a platform sends on every request: Bytes returns the set's
// own copy of a known key without allocating. Build it once, at package
// initialization; a Set is safe for concurrent use and never grows.
type Set struct {
	m map[string]string
}

// NewSet returns the set of keys. Duplicates are harmless.
func NewSet(keys ...string) *Set {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k] = k
	}
	return &Set{m: m}
}

// Bytes returns b as a string: the set's copy when b is one of its keys
// (no allocation), else a new string.
func (s *Set) Bytes(b []byte) string {
	if k, ok := s.m[string(b)]; ok { // the conversion does not allocate
		return k
	}
	return string(b)
}

// Lookup returns the set's copy of b and true when b is one of its keys.
// It never allocates.
func (s *Set) Lookup(b []byte) (string, bool) {
	k, ok := s.m[string(b)]
	return k, ok
}

// Len returns the number of distinct keys in the set.
func (s *Set) Len() int { return len(s.m) }

// sourceStrings caches the text of event sources: writing an event's
// source formats its URL, and a producer sends the same few. The two
// sources asked last are answered first, without hashing: an event's and
// its reply's, when they differ, take turns.
var sourceStrings struct {
	last [2]atomic.Pointer[sourceEntry] // the latest first
	m    sync.Map                       // url.URL -> *sourceEntry
	n    atomic.Int32
}

type sourceEntry struct {
	u url.URL
	s string
}

// SourceString returns u as text, as u.String() does, from a cache when u
// was formatted before. Up to 512 sources are cached.
func SourceString(u types.URIRef) string {
	for i := range sourceStrings.last {
		if e := sourceStrings.last[i].Load(); e != nil && e.u == u.URL {
			return e.s
		}
	}
	if v, ok := sourceStrings.m.Load(u.URL); ok {
		e := v.(*sourceEntry)
		rememberSource(e)
		return e.s
	}
	s := u.String()
	if u.User == nil && sourceStrings.n.Load() < 512 && sourceStrings.n.Add(1) <= 512 {
		e := &sourceEntry{u.URL, s}
		sourceStrings.m.Store(u.URL, e)
		rememberSource(e)
	}
	return s
}

// rememberSource makes e the source asked last. Concurrent callers may
// interleave: the cost is a later lookup in the map, never a wrong answer.
func rememberSource(e *sourceEntry) {
	sourceStrings.last[1].Store(sourceStrings.last[0].Load())
	sourceStrings.last[0].Store(e)
}
