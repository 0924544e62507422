package intern

import (
	"strconv"
	"testing"
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
