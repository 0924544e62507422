package intern

import (
	"strconv"
	"testing"
	"unsafe"
)

func TestCache(t *testing.T) {
	calls := 0
	c := New(2, func(s string) (int, bool) {
		calls++
		n, err := strconv.Atoi(s)
		return n, err == nil
	})
	for i := 0; i < 3; i++ {
		if v, ok := c.Get("7"); !ok || v != 7 {
			t.Fatalf("Get(7) = %v, %v", v, ok)
		}
	}
	if calls != 1 {
		t.Fatalf("computed %d times, want 1", calls)
	}
	if _, ok := c.Get("x"); ok {
		t.Fatal("a failed computation must report !ok")
	}
	c.Get("x")
	if calls != 3 {
		t.Fatal("failed computations must not be cached")
	}
	for i := 0; i < 10; i++ {
		c.Get(strconv.Itoa(100 + i))
	}
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	if n != 2 {
		t.Fatalf("cache holds %d entries, want at most 2", n)
	}
	if v, _ := c.Get("105"); v != 105 {
		t.Fatal("values past the bound must still be computed")
	}
}

// A Cache keeps a copy of a key, never the caller's string, which may be
// a view of memory the caller reuses.
func TestCacheCopiesKeys(t *testing.T) {
	c := New(4, func(s string) (string, bool) { return "v", true })
	head := "xx-key:v"
	c.Get(head[:6])
	c.m.Range(func(k, _ any) bool {
		if unsafe.StringData(k.(string)) == unsafe.StringData(head) {
			t.Error("the cache kept the caller's string")
		}
		return true
	})
}

func TestSet(t *testing.T) {
	s := NewSet("Id", "DequeueCount", "Metadata", "Id")
	if s.Len() != 3 {
		t.Fatalf("Len = %d, want 3 (duplicates count once)", s.Len())
	}
	tests := []struct {
		in    string
		known bool
	}{
		{"Id", true},
		{"DequeueCount", true},
		{"Metadata", true},
		{"id", false}, // keys are case-sensitive
		{"Other", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b := []byte(tt.in)
			if got := s.Bytes(b); got != tt.in {
				t.Fatalf("Bytes(%q) = %q", tt.in, got)
			}
			k, ok := s.Lookup(b)
			if ok != tt.known || (ok && k != tt.in) {
				t.Fatalf("Lookup(%q) = %q, %v; want known=%v", tt.in, k, ok, tt.known)
			}
			wantAllocs := 0.0
			if !tt.known && tt.in != "" {
				wantAllocs = 1 // a new string for an unknown key
			}
			if n := testing.AllocsPerRun(100, func() { sink = s.Bytes(b) }); n != wantAllocs {
				t.Errorf("Bytes(%q) allocates %v times, want %v", tt.in, n, wantAllocs)
			}
			if n := testing.AllocsPerRun(100, func() { s.Lookup(b) }); n != 0 {
				t.Errorf("Lookup(%q) allocates %v times", tt.in, n)
			}
		})
	}
	// A known key comes back as the set's copy, not as a view of b.
	b := []byte("Metadata")
	got := s.Bytes(b)
	b[0] = 'X'
	if got != "Metadata" {
		t.Fatalf("Bytes returned a string sharing the caller's buffer: %q", got)
	}
}

func BenchmarkSet(b *testing.B) {
	s := NewSet("sys", "Id", "DequeueCount", "PopReceipt", "InsertionTime", "ExpirationTime", "NextVisibleTime", "Metadata", "Data")
	keys := [][]byte{[]byte("Id"), []byte("DequeueCount"), []byte("InsertionTime"), []byte("Metadata")}
	b.Run("known", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sink = s.Bytes(keys[i%len(keys)])
		}
	})
	b.Run("string conversion", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sink = string(keys[i%len(keys)])
		}
	})
}

var sink string

func TestSourceString(t *testing.T) {
	for _, s := range []string{"https://example.com/orders", "/local/path", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "mailto:a@example.com", "https://example.com/a?b=c#d", "/local/path"} {
		u, ok := SourceRef(s)
		if !ok {
			t.Fatalf("SourceRef(%q) failed", s)
		}
		if got := SourceString(u); got != u.String() || got != s {
			t.Errorf("SourceString(%q) = %q, String() = %q", s, got, u.String())
		}
	}
}

func BenchmarkSourceString(b *testing.B) {
	u, _ := SourceRef("https://example.com/orders")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if SourceString(u) == "" {
			b.Fatal("empty")
		}
	}
}
