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

// short returns the bytes of s, shorter than eight, as one word, without
// a branch per byte: for four to seven bytes its first and last four,
// overlapping; for one to three its first, middle and last byte, with
// 'a', which every test passes, in the bytes left over.
func short(s string) uint64 {
	n := len(s)
	switch {
	case n >= 4:
		return uint64(word32(s, 0)) | uint64(word32(s, n-4))<<32
	case n > 0:
		return uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16 | 'a'*(ones&^0xFFFFFF)
	}
	return 'a' * ones
}

// word32 returns s[i:i+4] as a little-endian word.
func word32(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
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
		x := short(s)
		return !(below(x, 0x20) || high(x) || has(x, '%'))
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
		x := short(s)
		return !(below(x, 0x20) || high(x))
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
		x := short(s)
		return !(below(x, 0x21) || high(x) || has(x, '"') || has(x, '%'))
	}
	for i := 0; i < n-8; i += 8 {
		if x := word(s, i); below(x, 0x21) || high(x) || has(x, '"') || has(x, '%') {
			return false
		}
	}
	x := word(s, n-8)
	return !(below(x, 0x21) || high(x) || has(x, '"') || has(x, '%'))
}
