package aws

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/polyfn/polyfn/internal/cejson"
)

type nopHandler struct{}

func (nopHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

// requestView is what a golden file records of the *http.Request built.
type requestView struct {
	Method        string              `json:"method"`
	URL           string              `json:"url"`
	Path          string              `json:"path"`
	RequestURI    string              `json:"requestURI"`
	Query         map[string][]string `json:"query"`
	Host          string              `json:"host"`
	RemoteAddr    string              `json:"remoteAddr"`
	Proto         string              `json:"proto"`
	Header        map[string][]string `json:"header"`
	Cookies       []string            `json:"cookies"`
	Body          string              `json:"body"`
	BodyBase64    bool                `json:"bodyBase64,omitempty"`
	ContentLength int64               `json:"contentLength"`
}

type httpGolden struct {
	Source     string            `json:"source"`
	Request    requestView       `json:"request"`
	CloudEvent []json.RawMessage `json:"cloudEvents,omitempty"`
	CEError    string            `json:"cloudEventsError,omitempty"`
	// Response is the response object for what demoHandler writes.
	Response json.RawMessage `json:"response"`
}

// demoHandler writes two cookies, a two-valued header and a JSON body.
func demoHandler(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/"})
	http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", HttpOnly: true})
	w.Header().Add("X-Multi", "one")
	w.Header().Add("X-Multi", "two")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, `{"ok":true,"path":"`+r.URL.Path+`"}`)
}

func viewOf(t *testing.T, r *http.Request) requestView {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	v := requestView{Method: r.Method, URL: r.URL.String(), Path: r.URL.Path, RequestURI: r.RequestURI, Query: r.URL.Query(),
		Host: r.Host, RemoteAddr: r.RemoteAddr, Proto: r.Proto, Header: r.Header, Body: string(body), ContentLength: r.ContentLength}
	for _, c := range r.Cookies() {
		v.Cookies = append(v.Cookies, c.String())
	}
	if !utf8.Valid(body) {
		v.Body, v.BodyBase64 = base64.StdEncoding.EncodeToString(body), true
	}
	return v
}

func TestHTTP(t *testing.T) {
	tests := []struct {
		file string
		src  Source
		opts HTTPOptions
	}{
		{"aws-lambda-go-apigw-request.json", SourceAPIGatewayV1, HTTPOptions{}},
		{"polyfn-apigw-v1-base64-request.json", SourceAPIGatewayV1, HTTPOptions{BasePath: "/v1"}},
		{"aws-lambda-go-apigw-v2-request-iam.json", SourceAPIGatewayV2, HTTPOptions{}},
		{"aws-lambda-go-apigw-v2-request-jwt-authorizer.json", SourceAPIGatewayV2, HTTPOptions{}},
		{"aws-lambda-go-apigw-v2-request-lambda-authorizer.json", SourceAPIGatewayV2, HTTPOptions{}},
		{"aws-lambda-go-apigw-v2-request-no-authorizer.json", SourceAPIGatewayV2, HTTPOptions{}},
		{"polyfn-apigw-v2-base64-request.json", SourceAPIGatewayV2, HTTPOptions{BasePath: "prod"}},
		{"polyfn-apigw-v2-cloudevent-request.json", SourceAPIGatewayV2, HTTPOptions{}},
		{"aws-lambda-go-alb-lambda-target-request-headers-only.json", SourceALB, HTTPOptions{}},
		{"aws-lambda-go-alb-lambda-target-request-multivalue-headers.json", SourceALB, HTTPOptions{}},
		{"polyfn-alb-escaped-query-request.json", SourceALB, HTTPOptions{}},
		{"aws-docs-vpc-lattice-v1-request.json", SourceVPCLattice, HTTPOptions{}},
		{"aws-docs-vpc-lattice-v2-request.json", SourceVPCLattice, HTTPOptions{}},
		{"aws-lambda-go-lambda-urls-request.json", SourceFunctionURL, HTTPOptions{}},
		{"aws-lambda-go-lambdaurl-function-url-domain-only-get-request.json", SourceFunctionURL, HTTPOptions{}},
		{"aws-lambda-go-lambdaurl-function-url-domain-only-get-request-trailing-slash.json", SourceFunctionURL, HTTPOptions{}},
		{"aws-lambda-go-lambdaurl-function-url-domain-only-request-with-base64-encoded-body.json", SourceFunctionURL, HTTPOptions{}},
		{"aws-lambda-go-lambdaurl-function-url-request-with-headers-and-cookies-and-text-body.json", SourceFunctionURL, HTTPOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			hr, err := DecodeHTTP(tt.src, readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			req, err := hr.Request(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			g := httpGolden{Source: tt.src.String(), Request: viewOf(t, req)}
			req, _ = hr.Request(context.Background(), tt.opts)
			body, _ := io.ReadAll(req.Body)
			evs, _, err := hr.CloudEvents(req, body)
			if err != nil {
				g.CEError = err.Error()
			}
			for _, e := range evs {
				j, err := cejson.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				g.CloudEvent = append(g.CloudEvent, j)
			}
			w := NewResponseWriter()
			demoHandler(w, req)
			g.Response = hr.Response(w)
			if !json.Valid(g.Response) {
				t.Fatalf("response is not JSON: %s", g.Response)
			}
			checkGolden(t, tt.file, g)
		})
	}
}

// build decodes fixture and builds its request.
func build(t *testing.T, src Source, fixture string, opts HTTPOptions) (*HTTPRequest, *http.Request) {
	t.Helper()
	hr, err := DecodeHTTP(src, readFixture(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	req, err := hr.Request(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return hr, req
}

func respond(hr *HTTPRequest, h http.HandlerFunc, req *http.Request) map[string]any {
	w := NewResponseWriter()
	h(w, req)
	var m map[string]any
	if err := json.Unmarshal(hr.Response(w), &m); err != nil {
		panic(err)
	}
	return m
}

// The pitfalls of existing adapters, one test each.

func TestALBQueryIsDecodedOnce(t *testing.T) {
	_, req := build(t, SourceALB, "polyfn-alb-escaped-query-request.json", HTTPOptions{})
	q := req.URL.Query()
	if got := q["q"]; jsonOf(got) != `["a b","c+d"]` {
		t.Errorf(`q = %q; want ["a b" "c+d"]`, got)
	}
	if got := q.Get("x=y"); got != "1" {
		t.Errorf(`"x=y" = %q; want 1`, got)
	}
	if strings.Contains(req.RequestURI, "%25") {
		t.Errorf("RequestURI %s is double-encoded", req.RequestURI)
	}
	if req.RemoteAddr != "203.0.113.5" {
		t.Errorf("RemoteAddr = %q; want the first X-Forwarded-For", req.RemoteAddr)
	}
}

func TestV1MultiValueHeadersWin(t *testing.T) {
	_, req := build(t, SourceAPIGatewayV1, "polyfn-apigw-v1-base64-request.json", HTTPOptions{})
	if got := req.Header["X-Multi"]; jsonOf(got) != `["a","b"]` {
		t.Errorf("X-Multi = %q", got)
	}
	if got := req.URL.Query()["tag"]; jsonOf(got) != `["x","y"]` {
		t.Errorf("tag = %q", got)
	}
	if got := req.URL.Query().Get("q"); got != "a b" {
		t.Errorf("q = %q (v1 values are already decoded)", got)
	}
}

func TestV2HeadersAreNotSplit(t *testing.T) {
	_, req := build(t, SourceAPIGatewayV2, "polyfn-apigw-v2-base64-request.json", HTTPOptions{})
	if got := req.Header["X-Multi"]; jsonOf(got) != `["a,b"]` {
		t.Errorf("X-Multi = %q; comma-joined values must stay as sent", got)
	}
	if got := req.URL.Query()["x"]; jsonOf(got) != `["1","2"]` {
		t.Errorf("x = %q; rawQueryString must be used", got)
	}
	if got := req.URL.Query().Get("name"); got != "a+b" {
		t.Errorf("name = %q", got)
	}
}

func TestCookiesBothWays(t *testing.T) {
	hr, req := build(t, SourceFunctionURL, "aws-lambda-go-lambdaurl-function-url-request-with-headers-and-cookies-and-text-body.json", HTTPOptions{})
	if n := len(req.Header["Cookie"]); n != 1 {
		t.Errorf("%d Cookie headers; want 1 (cookies array and cookie header must not both appear)", n)
	}
	if len(req.Cookies()) == 0 {
		t.Error("no cookies reached the handler")
	}
	m := respond(hr, demoHandler, req)
	if got := jsonOf(m["cookies"]); got != `["a=1; Path=/","b=2; HttpOnly"]` {
		t.Errorf("response cookies = %s", got)
	}
	if h := m["headers"].(map[string]any); h["X-Multi"] != "one,two" || h["Set-Cookie"] != nil {
		t.Errorf("response headers = %v", h)
	}

	hr, req = build(t, SourceAPIGatewayV1, "aws-lambda-go-apigw-request.json", HTTPOptions{})
	m = respond(hr, demoHandler, req)
	if got := jsonOf(m["multiValueHeaders"].(map[string]any)["Set-Cookie"]); got != `["a=1; Path=/","b=2; HttpOnly"]` {
		t.Errorf("v1 Set-Cookie = %s", got)
	}
	hr, req = build(t, SourceALB, "aws-lambda-go-alb-lambda-target-request-headers-only.json", HTTPOptions{})
	m = respond(hr, demoHandler, req)
	if m["headers"] == nil || m["multiValueHeaders"] != nil || m["statusDescription"] != "201 Created" {
		t.Errorf("single-value ALB response = %v; want headers only, and a statusDescription", m)
	}
	hr, req = build(t, SourceALB, "aws-lambda-go-alb-lambda-target-request-multivalue-headers.json", HTTPOptions{})
	m = respond(hr, demoHandler, req)
	if m["headers"] != nil || m["multiValueHeaders"] == nil {
		t.Errorf("multi-value ALB response = %v; want multiValueHeaders only", m)
	}
}

func TestBinaryBodies(t *testing.T) {
	for _, f := range []struct {
		src  Source
		file string
		want []byte
	}{
		{SourceAPIGatewayV1, "polyfn-apigw-v1-base64-request.json", []byte{0, 1, 2, 3, 255}},
		{SourceAPIGatewayV2, "polyfn-apigw-v2-base64-request.json", []byte("\x89PNG\r\n\x1a\n")},
	} {
		hr, req := build(t, f.src, f.file, HTTPOptions{})
		body, _ := io.ReadAll(req.Body)
		if string(body) != string(f.want) {
			t.Errorf("%s: body %q; want %q", f.file, body, f.want)
		}
		m := respond(hr, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(f.want)
		}, req)
		if m["isBase64Encoded"] != true || m["body"] != base64.StdEncoding.EncodeToString(f.want) {
			t.Errorf("%s: binary response %v", f.file, m)
		}
	}
	tests := []struct {
		name   string
		ct, ce string
		body   string
		want   bool
	}{
		{"json", "application/json", "", `{"a":1}`, false},
		{"text", "text/html; charset=utf-8", "", "<p>hi</p>", false},
		{"octet-stream", "application/octet-stream", "", "abc", true},
		{"gzip", "text/plain", "gzip", "abc", true},
		{"invalid utf-8 text", "text/plain", "", "\xff\xfe", true},
		{"sniffed", "", "", "plain words", false},
	}
	hr, req := build(t, SourceAPIGatewayV2, "aws-lambda-go-apigw-v2-request-no-authorizer.json", HTTPOptions{})
	for _, tt := range tests {
		m := respond(hr, func(w http.ResponseWriter, r *http.Request) {
			if tt.ct != "" {
				w.Header().Set("Content-Type", tt.ct)
			}
			if tt.ce != "" {
				w.Header().Set("Content-Encoding", tt.ce)
			}
			_, _ = io.WriteString(w, tt.body)
		}, req)
		if m["isBase64Encoded"] != tt.want {
			t.Errorf("%s: isBase64Encoded = %v; want %v", tt.name, m["isBase64Encoded"], tt.want)
		}
	}
}

func TestBasePathAndProxy(t *testing.T) {
	_, req := build(t, SourceAPIGatewayV1, "polyfn-apigw-v1-base64-request.json", HTTPOptions{BasePath: "/v1/"})
	if req.URL.Path != "/upload/a b" || req.URL.RawPath != "/upload/a%20b" {
		t.Errorf("path %q raw %q; want the base path stripped and one unescape", req.URL.Path, req.URL.RawPath)
	}
	_, req = build(t, SourceAPIGatewayV1, "polyfn-apigw-v1-base64-request.json", HTTPOptions{ProxyPath: true})
	if req.URL.Path != "/upload/a b" {
		t.Errorf("proxy path %q", req.URL.Path)
	}
	_, req = build(t, SourceAPIGatewayV2, "polyfn-apigw-v2-base64-request.json", HTTPOptions{BasePath: "/prod"})
	if req.URL.Path != "/upload" {
		t.Errorf("v2 stage stripped: %q", req.URL.Path)
	}
	_, req = build(t, SourceAPIGatewayV2, "polyfn-apigw-v2-base64-request.json", HTTPOptions{BasePath: "/pro"})
	if req.URL.Path != "/prod/upload" {
		t.Errorf("a base path matches whole segments only: %q", req.URL.Path)
	}
}

func TestHandlerWritingNothing(t *testing.T) {
	for _, src := range []struct {
		s    Source
		file string
	}{
		{SourceAPIGatewayV1, "aws-lambda-go-apigw-request.json"},
		{SourceAPIGatewayV2, "aws-lambda-go-apigw-v2-request-iam.json"},
		{SourceALB, "aws-lambda-go-alb-lambda-target-request-headers-only.json"},
		{SourceFunctionURL, "aws-lambda-go-lambda-urls-request.json"},
	} {
		hr, req := build(t, src.s, src.file, HTTPOptions{})
		m := respond(hr, nopHandler{}.ServeHTTP, req)
		if m["statusCode"] != 200.0 || m["body"] != "" {
			t.Errorf("%s: %v; want 200 and an empty body", src.s, m)
		}
	}
}

func TestRequestContextReachable(t *testing.T) {
	_, req := build(t, SourceAPIGatewayV2, "aws-lambda-go-apigw-v2-request-jwt-authorizer.json", HTTPOptions{})
	v2, ok := APIGatewayV2RequestFromContext(req.Context())
	if !ok || v2.RequestContext.Authorizer == nil || len(v2.RequestContext.Authorizer.JWT.Claims) == 0 {
		t.Fatalf("JWT claims not reachable: %+v", v2)
	}
	_, req = build(t, SourceAPIGatewayV1, "polyfn-apigw-v1-base64-request.json", HTTPOptions{})
	v1, ok := APIGatewayV1RequestFromContext(req.Context())
	if !ok {
		t.Fatal("REST API request not reachable")
	}
	if claims, _ := v1.RequestContext.Authorizer["claims"].(map[string]any); claims["sub"] != "user-1" {
		t.Errorf("v1 authorizer claims: %v", v1.RequestContext.Authorizer)
	}
	_, req = build(t, SourceALB, "polyfn-alb-escaped-query-request.json", HTTPOptions{})
	if alb, ok := ALBRequestFromContext(req.Context()); !ok || alb.HTTPMethod == "" {
		t.Error("ALB request not reachable")
	}
	_, req = build(t, SourceFunctionURL, "aws-lambda-go-lambda-urls-request.json", HTTPOptions{})
	if u, ok := APIGatewayV2RequestFromContext(req.Context()); !ok || u.RequestContext.Authorizer.IAM == nil {
		t.Error("Function URL request not reachable")
	}
}

func TestHTTPCloudEvent(t *testing.T) {
	hr, req := build(t, SourceAPIGatewayV2, "polyfn-apigw-v2-cloudevent-request.json", HTTPOptions{})
	body, _ := io.ReadAll(req.Body)
	evs, batched, err := hr.CloudEvents(req, body)
	if err != nil || batched || len(evs) != 1 {
		t.Fatal(evs, batched, err)
	}
	if e := evs[0]; e.ID() != "http-ce-1" || e.Subject() != "café" || string(e.Data()) != `{"x":1}` {
		t.Errorf("event %v", e)
	}
	req.Header.Del("Ce-Id")
	if _, _, err := hr.CloudEvents(req, body); err == nil {
		t.Error("an invalid binary CloudEvent must be an error")
	}
}

func TestHTTPDecodeErrors(t *testing.T) {
	for _, tt := range []struct {
		src     Source
		payload string
	}{
		{SourceAPIGatewayV1, `{`},
		{SourceAPIGatewayV1, `{"path":"/"}`},
		{SourceAPIGatewayV2, `{"version":"2.0"}`},
		{SourceALB, `[]`},
		{SourceSQS, `{}`},
	} {
		if _, err := DecodeHTTP(tt.src, []byte(tt.payload)); err == nil {
			t.Errorf("DecodeHTTP(%s, %s) did not fail", tt.src, tt.payload)
		}
	}
	hr, err := DecodeHTTP(SourceAPIGatewayV2, []byte(`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"body":"%%%","isBase64Encoded":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hr.Request(context.Background(), HTTPOptions{}); err == nil {
		t.Error("bad base64 body must be an error")
	}
}

func TestResponseHeadersSorted(t *testing.T) {
	hr, req := build(t, SourceAPIGatewayV2, "aws-lambda-go-apigw-v2-request-no-authorizer.json", HTTPOptions{})
	w := NewResponseWriter()
	for _, k := range []string{"B", "A", "C"} {
		w.Header().Set("X-"+k, k)
	}
	nopHandler{}.ServeHTTP(w, req)
	if out := string(hr.Response(w)); !strings.Contains(out, `"headers":{"X-A":"A","X-B":"B","X-C":"C"}`) {
		t.Errorf("headers not in a stable order: %s", out)
	}
}
