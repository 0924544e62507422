package swar

import (
	"strings"
	"testing"
)

// Each predicate against its byte-at-a-time definition, for every byte at
// every position of strings long enough to use whole words and a tail.
func TestAgainstBytewise(t *testing.T) {
	printable := func(s string, except byte) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7F || c == except {
				return false
			}
		}
		return true
	}
	visible := func(s string, a, b byte) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= 0x20 || c >= 0x7F || c == a || c == b {
				return false
			}
		}
		return true
	}
	for _, base := range []string{"", "a", "abcdefg", "abcdefgh", "https://example.com/orders", strings.Repeat("~!", 13)} {
		for pos := 0; pos < len(base); pos++ {
			for c := 0; c < 256; c++ {
				s := base[:pos] + string(rune(0)) + base[pos+1:]
				b := []byte(s)
				b[pos] = byte(c)
				s = string(b)
				if got, want := Printable(s), printable(s, '%'); got != want {
					t.Fatalf("Printable(%q) = %v, want %v", s, got, want)
				}
				if got, want := Visible(s), visible(s, '"', '%'); got != want {
					t.Fatalf("Visible(%q) = %v, want %v", s, got, want)
				}
				if got, want := Text(s), printable(s, 0); got != want {
					t.Fatalf("Text(%q) = %v, want %v", s, got, want)
				}
			}
		}
		if !Printable(base) || !Visible(base) {
			t.Errorf("%q: want printable and visible", base)
		}
	}
	// Carries and borrows between bytes: pairs of neighbours at the edges.
	for _, c := range []byte{0x00, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xFF} {
		for _, d := range []byte{0x00, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xFF} {
			for pos := 0; pos < 15; pos++ {
				b := []byte(strings.Repeat("x", 16))
				b[pos], b[pos+1] = c, d
				s := string(b)
				if got, want := Printable(s), printable(s, '%'); got != want {
					t.Fatalf("Printable(%q) = %v, want %v", s, got, want)
				}
				if got, want := Visible(s), visible(s, '"', '%'); got != want {
					t.Fatalf("Visible(%q) = %v, want %v", s, got, want)
				}
				if got, want := Text(s), printable(s, 0); got != want {
					t.Fatalf("Text(%q) = %v, want %v", s, got, want)
				}
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
