package cejson

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/polyfn/polyfn/internal/swar"
)

// CheckString reports an error unless s is a CloudEvents String: valid
// UTF-8 without the characters the spec (section "Type System") disallows
// — the control characters U+0000–U+001F and U+007F–U+009F, surrogate code
// points (invalid in UTF-8 anyway) and the Unicode noncharacters
// (U+FDD0–U+FDEF and the last two code points of every plane). The error
// names the offending character and its byte offset.
func CheckString(s string) error { return checkText(s) }

func checkText(s string) error {
	if swar.Text(s) { // printable ASCII, the common case
		return nil
	}
	i := 0
	for i < len(s) && s[i]-0x20 < 0x7F-0x20 { // printable ASCII, the common case
		i++
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7F {
				return fmt.Errorf("control character %U at byte %d", rune(c), i)
			}
			i++
			continue
		}
		r, size := decodeRune(s, i)
		switch {
		case size == 0:
			return fmt.Errorf("invalid UTF-8 at byte %d", i)
		case r <= 0x9F:
			return fmt.Errorf("control character %U at byte %d", r, i)
		case r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE:
			return fmt.Errorf("noncharacter %U at byte %d", r, i)
		}
		i += size
	}
	return nil
}

// decodeRune decodes the UTF-8 sequence starting at s[i], a byte of 0x80
// or more, as utf8.DecodeRune does, for strings and bytes alike. size is 0
// for an invalid sequence (overlong forms, surrogates and code points past
// U+10FFFF are invalid).
func decodeRune(s string, i int) (r rune, size int) {
	c := s[i]
	var n int
	switch {
	case c >= 0xC2 && c <= 0xDF:
		n, r = 2, rune(c&0x1F)
	case c >= 0xE0 && c <= 0xEF:
		n, r = 3, rune(c&0x0F)
	case c >= 0xF0 && c <= 0xF4:
		n, r = 4, rune(c&0x07)
	default:
		return 0, 0
	}
	if i+n > len(s) {
		return 0, 0
	}
	for k := 1; k < n; k++ {
		b := s[i+k]
		if b&0xC0 != 0x80 {
			return 0, 0
		}
		r = r<<6 | rune(b&0x3F)
	}
	switch {
	case n == 3 && (r < 0x800 || r >= 0xD800 && r <= 0xDFFF),
		n == 4 && (r < 0x10000 || r > utf8.MaxRune):
		return 0, 0
	}
	return r, n
}

// errSurrogate is unquote's error for a \u escape of a surrogate that is
// not half of a pair.
var errSurrogate = errors.New(`unpaired surrogate in a \u escape`)

// unquote decodes the contents of a JSON string literal (between its
// quotes) that jsonscan.Valid has checked. The result aliases in, and
// fresh is false, when in holds no escape. Unlike encoding/json it refuses
// a \u escape of an unpaired surrogate rather than reading it as U+FFFD.
// It does not check the bytes between escapes: callers check the text with
// checkText, or the input with utf8.Valid.
func unquote(in []byte) (out []byte, fresh bool, err error) {
	i := 0
	for i < len(in) && in[i] != '\\' {
		i++
	}
	if i == len(in) {
		return in, false, nil
	}
	out = make([]byte, i, len(in))
	copy(out, in[:i])
	for i < len(in) {
		c := in[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		i++
		switch c = in[i]; c {
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
			r := hex4(in[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				if r >= 0xDC00 || i+6 >= len(in) || in[i+1] != '\\' || in[i+2] != 'u' {
					return nil, false, errSurrogate
				}
				r2 := hex4(in[i+3 : i+7])
				if r2 < 0xDC00 || r2 > 0xDFFF {
					return nil, false, errSurrogate
				}
				r = utf16.DecodeRune(r, r2)
				i += 6
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, c)
		}
		i++
	}
	return out, true, nil
}

// hex4 reads four hexadecimal digits that jsonscan.Valid has checked.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func abbrev(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}
