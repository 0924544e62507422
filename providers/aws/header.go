package aws

import (
	"net/http"

	"github.com/polyfn/polyfn/internal/jsonscan"
)

// readHeaders reads a JSON object of headers into *h, made on first use:
// a member's value is a string (one value, never split at commas) or an
// array of strings (multi-value headers). Names are canonicalised; the
// single values share one backing array.
func readHeaders(sc *scanner, v []byte, h *http.Header) error {
	if string(v) == "null" {
		return nil
	}
	n := countMembers(v)
	if *h == nil {
		*h = make(http.Header, n)
	}
	hdr := *h
	var err error
	var vals []string
	if jsonscan.Object(v, 0, func(name, value []byte) bool {
		var k string
		if k, err = memberName(sc, name); err != nil {
			return false
		}
		k = canonicalKey(k)
		if len(value) > 0 && value[0] == '[' {
			var vs []string
			if vs, err = sc.texts(value); err == nil {
				hdr[k] = vs
			}
			return err == nil
		}
		var s string
		if s, err = sc.text(value); err != nil {
			return false
		}
		if len(vals) == cap(vals) {
			vals = make([]string, 0, max(n, 4))
		}
		vals = append(vals, s)
		hdr[k] = vals[len(vals)-1 : len(vals) : len(vals)]
		return true
	}) < 0 && err == nil {
		return errNotObject
	}
	return err
}

// takeHeader returns the header for a new request: the decoded one for the
// first request (*taken is then set), a copy after.
func takeHeader(h http.Header, taken *bool) http.Header {
	switch {
	case h == nil:
		return make(http.Header, 1)
	case *taken:
		return h.Clone()
	}
	*taken = true
	return h
}
