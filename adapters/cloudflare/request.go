package cloudflare

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/polyfn/polyfn/internal/intern"
)

// parseHead builds the request a Fetch head describes, as net/http's
// server would: canonical header names, Host taken out of the header into
// Host, RequestURI the URL's path and query, RemoteAddr the client's
// address (Cf-Connecting-Ip). It does what http.NewRequest and Header.Add
// would, with fewer allocations, since each costs several times more in
// WebAssembly than natively: the header map is sized from the head, the
// values of all header lines share one slice, and header names and URLs
// that repeat from one request to the next are not parsed again.
func parseHead(head string, body []byte) (*http.Request, error) {
	method, rest, ok := strings.Cut(head, "\n")
	if !ok {
		return nil, errors.New("cloudflare: request head without a URL")
	}
	if !validMethod(method) {
		return nil, fmt.Errorf("cloudflare: request: invalid method %q", method)
	}
	raw, rest, _ := strings.Cut(rest, "\n")
	u, ok := urls.Get(raw)
	if !ok {
		_, err := url.Parse(raw)
		return nil, fmt.Errorf("cloudflare: request: %w", err)
	}
	r := &http.Request{Method: method, URL: &u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Host: u.Host, RequestURI: requestURI(raw, &u), ContentLength: int64(len(body)), Body: http.NoBody}
	if len(body) > 0 {
		r.Body = &bodyReader{Reader: *bytes.NewReader(body)}
	}
	n := strings.Count(rest, "\n") + 1
	r.Header = make(http.Header, n)
	values := make([]string, 0, n) // one slice for every line's value
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" {
			continue
		}
		k = canonicalName(k)
		switch k {
		case "Host": // as net/http's server does: in r.Host, not the header
			r.Host = v
			continue
		case "Cf-Connecting-Ip":
			r.RemoteAddr = v
		}
		if vs, ok := r.Header[k]; ok {
			r.Header[k] = append(vs, v)
			continue
		}
		values = append(values, v)
		r.Header[k] = values[len(values)-1 : len(values) : len(values)]
	}
	return r, nil
}

// bodyReader is a request body in memory.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// requestURI is the request target of raw, an absolute URL that parsed as
// u: raw's path and query, as the client sent them.
func requestURI(raw string, u *url.URL) string {
	if u.Opaque == "" && u.Fragment == "" {
		if i := strings.Index(raw, "://"); i >= 0 {
			if j := strings.IndexByte(raw[i+3:], '/'); j >= 0 {
				return raw[i+3+j:]
			}
		}
	}
	return u.RequestURI()
}

// validMethod reports whether m is an HTTP method: a non-empty token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// urls caches parsed request URLs: a Worker serves the same few. Each
// request gets its own copy of the url.URL.
var urls = intern.New(cacheMax, func(raw string) (url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return url.URL{}, false
	}
	return *u, true
})

// canonicalName returns the canonical form of a header name as Workers
// give it (lower case): from a table for the usual ones, else from a cache.
func canonicalName(k string) string {
	if c, ok := knownName(k); ok {
		return c
	}
	c, _ := names.Get(k)
	return c
}

var names = intern.New(cacheMax, func(k string) (string, bool) {
	return textproto.CanonicalMIMEHeaderKey(strings.Clone(k)), true
})

// cacheMax bounds each cache (intern.Cache, which keeps copies of the
// keys, views of a request's head), so that what clients send cannot grow
// them without bound: past it, values are computed and not kept.
const cacheMax = 512

// knownName returns the canonical form of the header names a Worker
// usually receives, lower case as Workers give them. A switch rather than
// a map: nothing to build when the program starts.
func knownName(k string) (string, bool) {
	switch k {
	case "accept":
		return "Accept", true
	case "accept-encoding":
		return "Accept-Encoding", true
	case "accept-language":
		return "Accept-Language", true
	case "authorization":
		return "Authorization", true
	case "cache-control":
		return "Cache-Control", true
	case "cdn-loop":
		return "Cdn-Loop", true
	case "cf-connecting-ip":
		return "Cf-Connecting-Ip", true
	case "cf-ipcountry":
		return "Cf-Ipcountry", true
	case "cf-ray":
		return "Cf-Ray", true
	case "cf-visitor":
		return "Cf-Visitor", true
	case "cf-worker":
		return "Cf-Worker", true
	case "connection":
		return "Connection", true
	case "content-encoding":
		return "Content-Encoding", true
	case "content-length":
		return "Content-Length", true
	case "content-type":
		return "Content-Type", true
	case "cookie":
		return "Cookie", true
	case "host":
		return "Host", true
	case "if-match":
		return "If-Match", true
	case "if-none-match":
		return "If-None-Match", true
	case "idempotency-key":
		return "Idempotency-Key", true
	case "origin":
		return "Origin", true
	case "priority":
		return "Priority", true
	case "referer":
		return "Referer", true
	case "traceparent":
		return "Traceparent", true
	case "tracestate":
		return "Tracestate", true
	case "user-agent":
		return "User-Agent", true
	case "x-forwarded-for":
		return "X-Forwarded-For", true
	case "x-forwarded-proto":
		return "X-Forwarded-Proto", true
	case "x-real-ip":
		return "X-Real-Ip", true
	case "x-request-id":
		return "X-Request-Id", true
	case "ce-id":
		return "Ce-Id", true
	case "ce-source":
		return "Ce-Source", true
	case "ce-specversion":
		return "Ce-Specversion", true
	case "ce-type":
		return "Ce-Type", true
	case "ce-subject":
		return "Ce-Subject", true
	case "ce-time":
		return "Ce-Time", true
	case "ce-dataschema":
		return "Ce-Dataschema", true
	case "ce-partitionkey":
		return "Ce-Partitionkey", true
	case "ce-traceparent":
		return "Ce-Traceparent", true
	case "ce-tracestate":
		return "Ce-Tracestate", true
	case "ce-sequence":
		return "Ce-Sequence", true
	}
	return "", false
}
