package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// maxDepth is the nesting encoding/json accepts.
const maxDepth = 10000

// Valid reports whether b is exactly one JSON value, with white space
// around it allowed: what json.Valid reports, in one pass without a
// function call per byte and without allocating for nesting up to 64
// levels. Like json.Valid it does not check that strings are valid UTF-8,
// and it refuses nesting deeper than encoding/json's 10000 levels.
func Valid(b []byte) bool { return valid(b, false) }

// ValidUTF8 is Valid that also requires the strings to be valid UTF-8, as
// RFC 8259 does (outside strings JSON is ASCII, which Valid checks): what
// utf8.Valid(b) && Valid(b) reports, in the same single pass.
func ValidUTF8(b []byte) bool { return valid(b, true) }

func valid(b []byte, strict bool) bool {
	var buf [64]byte
	stack := buf[:0] // the open containers, '{' or '['
	i := 0
	// The labels are the validator's states: a value starts at i (value),
	// an object member starts at i (member). Jumping between them keeps
	// the common bytes free of function calls.
value:
	i = SkipSpace(b, i)
	if i >= len(b) {
		return false
	}
	switch b[i] {
	case '{', '[':
		if len(stack) == maxDepth {
			return false
		}
		open, close := b[i], b[i]+2 // '{'+2 is '}', '['+2 is ']'
		if i = SkipSpace(b, i+1); i < len(b) && b[i] == close {
			i++
			break // an empty container is a whole value
		}
		stack = append(stack, open)
		if open == '{' {
			goto member
		}
		goto value
	case '"':
		if i = stringEnd(b, i, strict); i < 0 {
			return false
		}
	case 't':
		if i = literalAt(b, i, "true"); i < 0 {
			return false
		}
	case 'f':
		if i = literalAt(b, i, "false"); i < 0 {
			return false
		}
	case 'n':
		if i = literalAt(b, i, "null"); i < 0 {
			return false
		}
	default:
		if i = validNumber(b, i); i < 0 {
			return false
		}
	}
	// A value ended at i: close containers, or find the next value.
	for {
		i = SkipSpace(b, i)
		if len(stack) == 0 {
			return i == len(b)
		}
		if i >= len(b) {
			return false
		}
		c, top := b[i], stack[len(stack)-1]
		i++
		switch {
		case c == ',' && top == '{':
			i = SkipSpace(b, i)
			goto member
		case c == ',':
			goto value
		case c == top+2: // the container's close
			stack = stack[:len(stack)-1]
		default:
			return false
		}
	}
member: // the name, a colon, then the value
	if i >= len(b) || b[i] != '"' {
		return false
	}
	if i = stringEnd(b, i, strict); i < 0 {
		return false
	}
	if i = SkipSpace(b, i); i >= len(b) || b[i] != ':' {
		return false
	}
	i++
	goto value
}

// plain marks the bytes a JSON string holds as they are: not '"', '\\',
// a control character, or (for strict UTF-8) a byte of a multi-byte
// sequence.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// stringEnd returns the index just past the valid JSON string starting
// at b[i], a '"', or -1. With strict, the string must be valid UTF-8.
func stringEnd(b []byte, i int, strict bool) int {
	// Eight bytes at a time: the lowest byte that is not plain ends the
	// run, found without a branch per byte (short strings, the usual
	// member names and values, end within the first word).
	for i++; i+8 <= len(b); i += 8 {
		if m := notPlain(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if b[i] == '"' {
				return i + 1
			}
			return stringRest(b, i, strict)
		}
	}
	for ; i < len(b) && plain[b[i]]; i++ {
	}
	if i < len(b) && b[i] == '"' {
		return i + 1
	}
	return stringRest(b, i, strict)
}

// notPlain returns a word whose lowest set bit is the high bit of the
// first byte of x, read little-endian, that plain does not mark: a
// control character, '"', '\\' or a byte of 0x80 or more. (A borrow
// only reaches bytes past one that is marked already.)
func notPlain(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)&^x | (quote-ones)&^quote | (backslash-ones)&^backslash | x) & highs
}

// stringRest is stringEnd from b[i], inside the string.
func stringRest(b []byte, i int, strict bool) int {
	for ; i < len(b); i++ {
		c := b[i]
		if plain[c] {
			continue
		}
		switch {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := hex4(b[i+1:]); !ok {
					return -1
				}
				i += 4
			default:
				return -1
			}
		case strict: // c >= utf8.RuneSelf
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return -1
			}
			i += size - 1
		}
	}
	return -1
}

// literalAt returns the index just past lit at b[i], or -1.
func literalAt(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// validNumber returns the index just past the JSON number starting at
// b[i], or -1.
func validNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i+1 >= len(b) || !isDigit(b[i+1]) {
			return -1
		}
		i = digits(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		i = digits(b, i)
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}
