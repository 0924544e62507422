package mediatype

import (
	"fmt"
	"strings"
)

// Check reports an error, naming the offending byte, unless ct is exactly a
// media type as RFC 2045/2046 spell it, with the optional white space RFC
// 9110 (section 8.3.1) allows around ";":
//
//	type "/" subtype *( OWS ";" OWS name "=" ( token / quoted-string ) )
//
// where type, subtype, name and an unquoted value are tokens (RFC 9110
// tchar) and OWS is SP or HTAB. Nothing else passes: no space inside or
// around the type, no CR, LF or other control character, no byte outside
// ASCII (not even in a quoted-string), no empty parameter (";;" or a final
// ";", which RFC 9110 tolerates and RFC 2045 does not), no parameter name
// given twice in any case, at most 32 parameters. A value that passes can
// be written as a Content-Type header as it is, and mime.ParseMediaType
// reads it.
//
// Every encoder that turns an event's datacontenttype, or any other value
// that came from input, into a Content-Type header must call it first.
func Check(ct string) error {
	for _, k := range known {
		if ct == k {
			return nil // the common media types, as they are spelt
		}
	}
	i := token(ct, 0)
	if i == 0 {
		return checkError(ct, 0, "a type")
	}
	if i >= len(ct) || ct[i] != '/' {
		return checkError(ct, i, `"/"`)
	}
	j := token(ct, i+1)
	if j == i+1 {
		return checkError(ct, j, "a subtype")
	}
	var names [32]string
	n := 0
	for i = j; i < len(ct); {
		i = ows(ct, i)
		if i >= len(ct) || ct[i] != ';' {
			return checkError(ct, i, `";"`)
		}
		i = ows(ct, i+1)
		j = token(ct, i)
		if j == i {
			return checkError(ct, i, "a parameter name")
		}
		if n == len(names) {
			return fmt.Errorf("media type %q: more than %d parameters", ct, len(names))
		}
		for _, prev := range names[:n] {
			if strings.EqualFold(prev, ct[i:j]) {
				return fmt.Errorf("media type %q: parameter %s is given twice", ct, ct[i:j])
			}
		}
		names[n] = ct[i:j]
		n++
		if j >= len(ct) || ct[j] != '=' {
			return checkError(ct, j, `"="`)
		}
		i = j + 1
		if i < len(ct) && ct[i] == '"' {
			if i = quoted(ct, i); i < 0 {
				return fmt.Errorf("media type %q: unterminated or invalid quoted-string", ct)
			}
			continue
		}
		j = token(ct, i)
		if j == i {
			return checkError(ct, i, "a parameter value")
		}
		i = j
	}
	return nil
}

func checkError(ct string, i int, want string) error {
	if i >= len(ct) {
		return fmt.Errorf("media type %q: want %s at its end (RFC 2046)", ct, want)
	}
	return fmt.Errorf("media type %q: want %s at byte %d, got %q (RFC 2046)", ct, want, i, ct[i:i+1])
}

// token returns the index just past the run of tchar starting at s[i].
func token(s string, i int) int {
	for i < len(s) && tchar[s[i]] {
		i++
	}
	return i
}

// ows returns the index just past the SP and HTAB starting at s[i].
func ows(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// quoted returns the index just past the quoted-string starting at s[i],
// or -1.
func quoted(s string, i int) int {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			i++
			if i >= len(s) || !(s[i] == '\t' || s[i] >= 0x20 && s[i] < 0x7F) {
				return -1
			}
		case c != '\t' && (c < 0x20 || c >= 0x7F):
			return -1
		}
	}
	return -1
}

// tchar marks the bytes of an RFC 9110 token.
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
