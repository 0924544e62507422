package swar

import (
	"strings"
	"testing"
)

// printable and visible are the predicates' byte-at-a-time definitions.
func printable(s string, except byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7F || c == except {
			return false
		}
	}
	return true
}

func visible(s string, a, b byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7F || c == a || c == b {
			return false
		}
	}
	return true
}

// checkAll compares each predicate on s with its definition.
func checkAll(t *testing.T, s string) {
	t.Helper()
	for _, p := range []struct {
		name      string
		got, want bool
	}{
		{"Printable", Printable(s), printable(s, '%')},
		{"Visible", Visible(s), visible(s, '"', '%')},
		{"Text", Text(s), printable(s, 0)},
	} {
		if p.got != p.want {
			t.Fatalf("%s(%q) = %v, want %v", p.name, s, p.got, p.want)
		}
	}
}

// Each predicate against its definition, for every byte at every position
// of strings long enough to use whole words and a tail.
func TestAgainstBytewise(t *testing.T) {
	for _, base := range []string{"", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "https://example.com/orders", strings.Repeat("~!", 13)} {
		for pos := 0; pos < len(base); pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(base)
				b[pos] = byte(c)
				checkAll(t, string(b))
			}
		}
		if !Printable(base) || !Visible(base) || !Text(base) {
			t.Errorf("%q: want printable and visible", base)
		}
	}
	// Carries and borrows between bytes: pairs of neighbours at the edges.
	edges := []byte{0x00, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xFF}
	for _, c := range edges {
		for _, d := range edges {
			for pos := 0; pos < 15; pos++ {
				b := []byte(strings.Repeat("x", 16))
				b[pos], b[pos+1] = c, d
				checkAll(t, string(b))
			}
		}
	}
}

func BenchmarkPrintable(b *testing.B) {
	s := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !Printable(s) {
			b.Fatal("not printable")
		}
	}
}
