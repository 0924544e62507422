package aws

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// An HTTPRequest is a decoded API Gateway, ALB, VPC Lattice or Function
// URL request.
// DecodeHTTP returns it; Request builds the *http.Request a handler sees
// and Response renders what the handler wrote.
type HTTPRequest struct {
	// Source is the request's source.
	Source Source

	v1  *events.APIGatewayProxyRequest
	v2  *v2Request
	alb *albRequest
	// multi is true for an ALB request in the multi-value headers style.
	multi bool
}

// HTTPOptions adjusts how a request's path is read.
type HTTPOptions struct {
	// BasePath is stripped from the start of the path when present: a
	// custom-domain base path mapping ("/v1"), or a stage name that an HTTP
	// API puts in rawPath ("/prod").
	BasePath string
	// ProxyPath routes a REST API request by its {proxy+} path parameter:
	// the path becomes "/" + pathParameters.proxy.
	ProxyPath bool
}

// DecodeHTTP decodes an HTTP payload of source src (one of the HTTP
// sources; SourceFunctionURL and SourceAPIGatewayV2 share a decoder, and
// SourceALB and SourceVPCLattice another). The
// error wraps ErrMalformedPayload when the payload is not JSON or lacks its
// source's required members (an HTTP method).
func DecodeHTTP(src Source, payload []byte) (*HTTPRequest, error) {
	h := &HTTPRequest{Source: src}
	switch src {
	case SourceAPIGatewayV1:
		h.v1 = new(events.APIGatewayProxyRequest)
		if err := json.Unmarshal(payload, h.v1); err != nil {
			return nil, malformed("API Gateway REST request: %s", jsonErr(err))
		}
		if h.v1.HTTPMethod == "" {
			return nil, malformed("API Gateway REST request: no httpMethod")
		}
	case SourceAPIGatewayV2, SourceFunctionURL:
		r, err := decodeV2(src, payload)
		if err != nil {
			return nil, err
		}
		h.v2 = r
	case SourceALB, SourceVPCLattice:
		r, err := decodeALB(src, payload)
		if err != nil {
			return nil, err
		}
		h.alb, h.multi = r, r.multi
	default:
		return nil, unsupported("%s payloads are not HTTP requests", src)
	}
	return h, nil
}

// WithNative returns ctx carrying the native request, for
// APIGatewayV1RequestFromContext and the other accessors.
func (h *HTTPRequest) WithNative(ctx context.Context) context.Context {
	switch {
	case h.v1 != nil:
		return context.WithValue(ctx, apigwV1Key, h.v1)
	case h.v2 != nil:
		return context.WithValue(ctx, apigwV2Key, h.v2)
	case h.alb != nil && h.Source == SourceALB:
		return context.WithValue(ctx, albKey, h.alb)
	}
	return ctx
}

// ID returns the request id (requestContext.requestId), or "" (ALB has none).
func (h *HTTPRequest) ID() string {
	switch {
	case h.v1 != nil:
		return h.v1.RequestContext.RequestID
	case h.v2 != nil:
		return h.v2.requestID
	}
	return ""
}

// Request builds the *http.Request a handler sees, with ctx (to which the
// native request is added) as its context:
//
//   - the body is base64-decoded when isBase64Encoded is set;
//   - REST API: headers and multiValueHeaders are merged, multi-value
//     winning; so are the two query maps (values are already decoded);
//   - HTTP API and Function URL: rawQueryString is used as it is, comma-
//     joined header values are never split, and the cookies array becomes
//     one Cookie header (replacing a cookie header, not duplicating it);
//   - ALB and VPC Lattice: query keys and values are percent-decoded
//     exactly once (they pass them as the client sent them), and sorted by
//     key; a Lattice 1.0 raw_path that carries the query is split;
//   - the path is unescaped once (URL.RawPath keeps the original);
//     opts.BasePath is stripped;
//   - Host comes from the Host header or requestContext.domainName,
//     RemoteAddr from the source IP (ALB and VPC Lattice: the first
//     X-Forwarded-For).
//
// Each call returns a new request; calls must not run concurrently.
func (h *HTTPRequest) Request(ctx context.Context, opts HTTPOptions) (*http.Request, error) {
	var (
		method, path, rawQuery, body, host, remote string
		b64                                        bool
		header                                     http.Header
	)
	switch {
	case h.v1 != nil:
		r := h.v1
		header = make(http.Header, len(r.Headers)+len(r.MultiValueHeaders))
		method, path, body, b64 = r.HTTPMethod, r.Path, r.Body, r.IsBase64Encoded
		if opts.ProxyPath {
			if p, ok := r.PathParameters["proxy"]; ok {
				path = "/" + strings.TrimPrefix(p, "/")
			}
		}
		setSingle(header, r.Headers)
		for k, vs := range r.MultiValueHeaders {
			header[canonicalKey(k)] = vs
		}
		q := make(url.Values, len(r.QueryStringParameters))
		for k, v := range r.QueryStringParameters {
			q[k] = []string{v}
		}
		for k, vs := range r.MultiValueQueryStringParameters {
			q[k] = vs
		}
		rawQuery = q.Encode()
		host, remote = r.RequestContext.DomainName, r.RequestContext.Identity.SourceIP
	case h.v2 != nil:
		r := h.v2
		method, path, rawQuery, body, b64 = r.method, r.rawPath, r.rawQuery, r.body, r.b64
		if path == "" {
			path = r.httpPath
		}
		header = takeHeader(r.header, &r.taken)
		if len(r.cookies) > 0 {
			header["Cookie"] = []string{strings.Join(r.cookies, "; ")}
		}
		host, remote = r.domain, r.sourceIP
	case h.alb != nil:
		r := h.alb
		method, path, body, b64 = r.method, r.path, r.body, r.b64
		header = takeHeader(r.header, &r.taken)
		rawQuery = r.rawQuery()
		if xff := header.Get("X-Forwarded-For"); xff != "" {
			remote, _, _ = strings.Cut(xff, ",")
			remote = strings.TrimSpace(remote)
		}
	}
	if hh := header.Get("Host"); hh != "" {
		host = hh
	}
	if opts.BasePath != "" && opts.BasePath != "/" {
		bp := "/" + strings.Trim(opts.BasePath, "/")
		if path == bp {
			path = "/"
		} else if strings.HasPrefix(path, bp+"/") {
			path = path[len(bp):]
		}
	}
	if path == "" {
		path = "/"
	}
	u := &url.URL{Scheme: "https", Host: host, RawQuery: rawQuery}
	if strings.IndexByte(path, '%') >= 0 {
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		} else {
			u.Path = path
		}
	} else {
		u.Path = path
	}
	if proto := header.Get("X-Forwarded-Proto"); proto == "http" {
		u.Scheme = "http"
	}
	var data []byte
	if b64 {
		d, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, malformed("%s request: isBase64Encoded is set but body is not base64: %v", h.Source, err)
		}
		data = d
	} else if body != "" {
		data = []byte(body)
	}
	if !validMethod(method) {
		return nil, malformed("%s request: invalid method %q", h.Source, method)
	}
	req := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: header,
		Host: host, RemoteAddr: remote, RequestURI: u.RequestURI(), ContentLength: int64(len(data)), Body: http.NoBody}
	if len(data) > 0 {
		req.Body = &bodyReader{Reader: bytes.NewReader(data)}
	}
	req = req.WithContext(h.WithNative(ctx))
	if h.v2 != nil && h.v2.protocol != "" {
		if major, minor, ok := http.ParseHTTPVersion(h.v2.protocol); ok {
			req.Proto, req.ProtoMajor, req.ProtoMinor = h.v2.protocol, major, minor
		}
	}
	return req, nil
}

// bodyReader is a request body that needs no closing.
type bodyReader struct{ *bytes.Reader }

func (bodyReader) Close() error { return nil }

// validMethod reports whether m is an HTTP token, as net/http requires.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// setSingle adds single-valued headers to h, sharing one backing array.
func setSingle(h http.Header, m map[string]string) {
	vals := make([]string, len(m))
	i := 0
	for k, v := range m {
		vals[i] = v
		h[canonicalKey(k)] = vals[i : i+1 : i+1]
		i++
	}
}

// awsHeaders interns the canonical form of headers API Gateway, ALB and
// Function URLs send in lower case on every request, which net/http's own
// table of common headers lacks.
var awsHeaders = map[string]string{
	"x-amzn-trace-id": "X-Amzn-Trace-Id", "x-forwarded-port": "X-Forwarded-Port", "x-forwarded-proto": "X-Forwarded-Proto",
	"x-forwarded-for": "X-Forwarded-For", "content-length": "Content-Length", "content-type": "Content-Type",
	"user-agent": "User-Agent", "accept": "Accept", "host": "Host", "accept-encoding": "Accept-Encoding",
	"x-amz-date": "X-Amz-Date", "x-amz-security-token": "X-Amz-Security-Token", "x-amz-content-sha256": "X-Amz-Content-Sha256",
	"x-amzn-tls-version": "X-Amzn-Tls-Version", "x-amzn-tls-cipher-suite": "X-Amzn-Tls-Cipher-Suite",
	"authorization": "Authorization", "cookie": "Cookie", "origin": "Origin", "referer": "Referer",
}

// canonicalKey is http.CanonicalHeaderKey without an allocation for the
// usual AWS headers.
func canonicalKey(k string) string {
	if c, ok := awsHeaders[k]; ok {
		return c
	}
	return http.CanonicalHeaderKey(k)
}

// unescapeQuery decodes a query component once; a component that is not
// validly escaped is kept as it is.
func unescapeQuery(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
