// Package swar checks the bytes of a CloudEvents header value eight at a
// time. A header value is tens of bytes of printable ASCII; a loop over
// its bytes spends most of its time on the loop itself.
package swar

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// word returns s[i:i+8] as a little-endian word; the compiler reads it
// with one load.
func word(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// The tests of a word, exact in what they report for the word as a whole.
// A borrow or carry between bytes only reaches bytes past one that sets
// the result already.

// below reports whether a byte of x is below n, which is at most 0x80.
func below(x, n uint64) bool { return (x-ones*n)&^x&highs != 0 }

// has reports whether a byte of x is c.
func has(x, c uint64) bool { return below(x^(ones*c), 1) }

// high reports whether a byte of x is 0x7F or above.
func high(x uint64) bool { return (x|(x+ones))&highs != 0 }

// Printable reports whether s is printable ASCII (U+0020..U+007E) without
// '%': a ce- header value that reads as it is.
func Printable(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if c := s[i]; c < 0x20 || c >= 0x7F || c == '%' {
				return false
			}
		}
		return true
	}
	for i := 0; i < n-8; i += 8 {
		if x := word(s, i); below(x, 0x20) || high(x) || has(x, '%') {
			return false
		}
	}
	x := word(s, n-8) // the last word, overlapping the one before
	return !(below(x, 0x20) || high(x) || has(x, '%'))
}

// Text reports whether s is printable ASCII (U+0020..U+007E): a
// CloudEvents String with nothing to check further.
func Text(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if c := s[i]; c < 0x20 || c >= 0x7F {
				return false
			}
		}
		return true
	}
	for i := 0; i < n-8; i += 8 {
		if x := word(s, i); below(x, 0x20) || high(x) {
			return false
		}
	}
	x := word(s, n-8)
	return !(below(x, 0x20) || high(x))
}

// Visible reports whether s is visible ASCII (U+0021..U+007E) without '"'
// and '%': a ce- header value that is written as it is.
func Visible(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if c := s[i]; c <= 0x20 || c >= 0x7F || c == '"' || c == '%' {
				return false
			}
		}
		return true
	}
	for i := 0; i < n-8; i += 8 {
		if x := word(s, i); below(x, 0x21) || high(x) || has(x, '"') || has(x, '%') {
			return false
		}
	}
	x := word(s, n-8)
	return !(below(x, 0x21) || high(x) || has(x, '"') || has(x, '%'))
}
