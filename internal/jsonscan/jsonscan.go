// Package jsonscan walks JSON text without decoding it: it finds the
// members of objects and the ends of values, and unquotes strings, with no
// reflection and no allocation but for unquoted strings that hold escapes.
// The providers read the few members they need of large payloads with it,
// and fall back to encoding/json for the rest.
//
// The walkers check structure (strings closed, brackets balanced, members
// separated) but not the spelling of numbers and literals: use json.Valid
// first when the input is untrusted and exactness matters.
package jsonscan

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// SkipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func SkipSpace(b []byte, i int) int {
	// b[i] <= ' ' first: one comparison for the usual byte, which is no space.
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// SkipString returns the index just past the JSON string starting at b[i],
// or -1 when b[i] is no '"' or the string is not closed.
func SkipString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// SkipValue returns the index just past the JSON value starting at b[i]
// (after white space), or -1 when there is none or it is not closed.
func SkipValue(b []byte, i int) int {
	i = SkipSpace(b, i)
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return SkipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = SkipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	}
	start := i
	for i < len(b) && literal(b[i]) {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

// literal reports whether c may appear in a number, true, false or null.
func literal(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '+' || c == '.'
}

// Object calls fn with the raw name (between its quotes, escapes kept) and
// the raw value of each member of the JSON object starting at b[i], after
// white space, until fn returns false. It returns the index just past the
// object, or -1 when b[i] starts no object or the object is malformed (fn
// may have been called for the members before the fault). When fn stops
// the walk, Object returns the index just past the last value fn saw.
func Object(b []byte, i int, fn func(name, value []byte) bool) int {
	i = SkipSpace(b, i)
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		end := SkipString(b, i)
		if end < 0 {
			return -1
		}
		name := b[i+1 : end-1]
		i = SkipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return -1
		}
		start := SkipSpace(b, i+1)
		end = SkipValue(b, start)
		if end < 0 {
			return -1
		}
		if !fn(name, b[start:end]) {
			return end
		}
		i = SkipSpace(b, end)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = SkipSpace(b, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

// Array calls fn with each raw element of the JSON array starting at b[i],
// after white space, until fn returns false, and returns the index just
// past the array, or -1 as Object does.
func Array(b []byte, i int, fn func(value []byte) bool) int {
	i = SkipSpace(b, i)
	if i >= len(b) || b[i] != '[' {
		return -1
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	for {
		end := SkipValue(b, i)
		if end < 0 {
			return -1
		}
		if !fn(b[i:end]) {
			return end
		}
		i = SkipSpace(b, end)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = SkipSpace(b, i+1)
		case ']':
			return i + 1
		default:
			return -1
		}
	}
}

// Plain returns the contents of the JSON string literal raw (quotes
// included) when it holds no escape, and false otherwise.
func Plain(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	in := raw[1 : len(raw)-1]
	for _, c := range in {
		if c == '\\' || c == '"' {
			return nil, false
		}
	}
	return in, true
}

// ErrNotString is returned by Unquote for a value that is not a JSON
// string literal.
var ErrNotString = errors.New("not a JSON string")

// Unquote decodes the JSON string literal raw (quotes included, no
// surrounding white space) as encoding/json does: invalid UTF-8 and lone
// surrogates become U+FFFD. The result aliases raw when the literal holds
// no escape and no invalid UTF-8.
func Unquote(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, ErrNotString
	}
	in := raw[1 : len(raw)-1]
	i := 0
	for i < len(in) {
		c := in[i]
		if c == '\\' || c == '"' || c < 0x20 {
			break
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
			continue
		}
		i++
	}
	if i == len(in) {
		return in, nil
	}
	out := make([]byte, i, len(in)+8)
	copy(out, in[:i])
	for i < len(in) {
		c := in[i]
		switch {
		case c == '\\':
			i++
			if i >= len(in) {
				return nil, errors.New("JSON string ends in a backslash")
			}
			switch in[i] {
			case '"', '\\', '/':
				out = append(out, in[i])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(in[i+1:])
				if !ok {
					return nil, errors.New(`bad \u escape in JSON string`)
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+2 < len(in) && in[i+1] == '\\' && in[i+2] == 'u' {
						r2, ok = hex4(in[i+3:])
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, fmt.Errorf(`bad escape \%c in JSON string`, in[i])
			}
			i++
		case c == '"' || c < 0x20:
			return nil, errors.New("unescaped quote or control character in JSON string")
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, "\uFFFD"...)
			} else {
				out = append(out, in[i:i+size]...)
			}
			i += size
		}
	}
	return out, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
