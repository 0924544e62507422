package cehttp

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// EncodeHeaderValue percent-encodes space, '"', '%' and every byte outside
// U+0021..U+007E, as the HTTP binding requires for ce- header values.
func EncodeHeaderValue(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if escapeByte[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
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
// '"', '%' and everything outside U+0021..U+007E. plainByte marks those a
// received value may hold and be returned as is: printable ASCII (space
// included) but '%'.
var escapeByte, plainByte = func() (esc, plain [256]bool) {
	for c := 0; c < 256; c++ {
		esc[c] = c <= 0x20 || c >= 0x7F || c == '"' || c == '%'
		plain[c] = c >= 0x20 && c < 0x7F && c != '%'
	}
	return esc, plain
}()

// DecodeHeaderValue unquotes an RFC 7230 quoted-string, then percent-decodes
// once, then checks that the result is valid UTF-8.
func DecodeHeaderValue(v string) (string, error) {
	v = trimOWS(v)
	plain := true // printable ASCII without '%': the common case, returned as is
	for i := 0; i < len(v); i++ {
		if !plainByte[v[i]] {
			plain = false
			break
		}
	}
	if plain && (len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"') {
		return v, nil
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
			return "", errors.New("value is not valid UTF-8")
		}
		return v, nil
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b = append(b, v[i])
			continue
		}
		if i+2 >= len(v) || unhex(v[i+1]) < 0 || unhex(v[i+2]) < 0 {
			return "", fmt.Errorf("bad percent-encoding at byte %d of %q", i, v)
		}
		b = append(b, byte(unhex(v[i+1])<<4|unhex(v[i+2])))
		i += 2
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("percent-decoded value of %q is not valid UTF-8", v)
	}
	return string(b), nil
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
