package cehttp

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/polyfn/polyfn/internal/swar"
)

// EncodeHeaderValue percent-encodes space, '"', '%' and every byte outside
// U+0021..U+007E, as the HTTP binding requires for ce- header values.
func EncodeHeaderValue(s string) string {
	if swar.Visible(s) { // the common case, written as is
		return s
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if escapeByte[s[i]] {
			n++
		}
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escapeByte[c] {
			b = append(b, '%', hex[c>>4], hex[c&0xF])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// escapeByte marks the bytes a ce- header value percent-encodes: space,
// '"', '%' and everything outside U+0021..U+007E.
var escapeByte = func() (esc [256]bool) {
	for c := 0; c < 256; c++ {
		esc[c] = c <= 0x20 || c >= 0x7F || c == '"' || c == '%'
	}
	return esc
}()

// DecodeHeaderValue unquotes an RFC 7230 quoted-string, then percent-decodes
// once, then checks that the result is valid UTF-8.
func DecodeHeaderValue(v string) (string, error) {
	v, _, err := decodeHeaderValue(v)
	return v, err
}

// decodeHeaderValue is DecodeHeaderValue, and reports whether v was
// returned as it came, trimmed: printable ASCII without '%' and not
// quoted, a value that needs no other character check.
func decodeHeaderValue(v string) (_ string, plain bool, err error) {
	v = trimOWS(v)
	if swar.Printable(v) { // the common case, returned as is
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return v, true, nil
		}
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		var b strings.Builder
		for i := 1; i < len(v)-1; i++ {
			if v[i] == '\\' && i+1 < len(v)-1 {
				i++
			}
			b.WriteByte(v[i])
		}
		v = b.String()
	}
	if strings.IndexByte(v, '%') < 0 {
		if !utf8.ValidString(v) {
			return "", false, errors.New("value is not valid UTF-8")
		}
		return v, false, nil
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b = append(b, v[i])
			continue
		}
		if i+2 >= len(v) || unhex(v[i+1]) < 0 || unhex(v[i+2]) < 0 {
			return "", false, fmt.Errorf("bad percent-encoding at byte %d of %q", i, v)
		}
		b = append(b, byte(unhex(v[i+1])<<4|unhex(v[i+2])))
		i += 2
	}
	if !utf8.Valid(b) {
		return "", false, fmt.Errorf("percent-decoded value of %q is not valid UTF-8", v)
	}
	return string(b), false, nil
}

// trimOWS trims the optional white space of HTTP (RFC 9110: SP and HTAB)
// around a header value, and nothing else.
func trimOWS(v string) string {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
