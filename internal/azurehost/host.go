// Package azurehost simulates the Azure Functions host's side of the
// custom-handler protocol, for testing a custom handler over real HTTP
// without the host (which cannot run offline), and for `polyfn invoke
// --provider azure`. Package adapters/azure/azuretest is its public face.
//
// A Host POSTs invocation requests exactly as the host does — path
// /{function}, Content-Type application/json; charset=utf-8, the
// X-Azure-Functions-InvocationId and X-Azure-Functions-HostVersion headers,
// values encoded by the host's rules (see Encode and the trigger helpers) —
// and judges the answer by the host's rules (see Check): a non-2xx status,
// a content type other than application/json or text/json, or a body that
// is not a JSON object fails the invocation and loses its Logs; an http
// output must be an object with string header values; a string written to
// a non-http output that is valid base64 is written decoded (see Written).
// Start runs a handler binary as the host does.
package azurehost

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// HostVersion is the version the simulator announces.
const HostVersion = "4.1037.0.0"

// Host sends invocations to a custom handler at URL. Its methods may be
// called concurrently, as the real host calls the handler.
type Host struct {
	// URL is the handler's base URL, "http://127.0.0.1:PORT".
	URL string
	// Client sends the requests; the default follows no redirects, as the
	// host does since azure-functions-host#7860.
	Client *http.Client
	// Now gives sys.UtcNow; the default is time.Now.
	Now func() time.Time

	seq atomic.Uint64
}

// New returns a Host that calls the handler at url.
func New(url string) *Host {
	return &Host{URL: strings.TrimSuffix(url, "/"), Client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// WaitReady polls GET / until the handler answers anything (404 counts, as
// for the host), ctx is done, or timeout passes (0 means 30 s, the host's
// initializationTimeout).
func (h *Host) WaitReady(ctx context.Context, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+"/", nil)
		resp, err := h.Client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("host simulator: handler at %s not ready: %w (last error: %v)", h.URL, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// NewInvocationID returns a fresh GUID-shaped invocation id.
func NewInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Invoke sends req to function with a fresh invocation id and judges the
// answer. Metadata.sys is added when req has none.
func (h *Host) Invoke(ctx context.Context, function string, req Request) (*Result, error) {
	return h.InvokeID(ctx, function, NewInvocationID(), req)
}

// InvokeID is Invoke with the invocation id given.
func (h *Host) InvokeID(ctx context.Context, function, id string, req Request) (*Result, error) {
	if req.Metadata == nil {
		req.Metadata = map[string]json.RawMessage{}
	}
	if _, ok := req.Metadata["sys"]; !ok {
		now := time.Now
		if h.Now != nil {
			now = h.Now
		}
		req.Metadata["sys"] = Encode(map[string]string{"MethodName": function, "UtcNow": now().UTC().Format("2006-01-02T15:04:05.9999999Z"), "RandGuid": NewInvocationID()})
	}
	if req.Data == nil {
		req.Data = map[string]json.RawMessage{}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return h.PostID(ctx, function, id, body)
}

// Post sends body as is to /{function}, with the host's headers, and judges
// the answer: for replaying captured requests and for malformed ones.
func (h *Host) Post(ctx context.Context, function string, body []byte) (*Result, error) {
	return h.PostID(ctx, function, NewInvocationID(), body)
}

// PostID is Post with the invocation id given.
func (h *Host) PostID(ctx context.Context, function, id string, body []byte) (*Result, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL+"/"+function, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Set("X-Azure-Functions-InvocationId", id)
	r.Header.Set("X-Azure-Functions-HostVersion", HostVersion)
	r.Header.Set("User-Agent", "Azure-Functions-Host/"+HostVersion)
	resp, err := h.Client.Do(r)
	if err != nil {
		return nil, fmt.Errorf("host simulator: invoke %s: %w", function, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("host simulator: invoke %s: reading answer: %w", function, err)
	}
	res := Check(resp.StatusCode, resp.Header, b)
	res.InvocationID = id
	return res, nil
}

// Forward sends r to the handler as the host does in forwarding mode
// (enableForwardingHttpRequest): same method, path, query and headers plus
// the host's, and the body only when Content-Length is positive (a chunked
// body is dropped, as by the host). The answer comes back as is; a non-2xx
// status is not a failure in this mode.
func (h *Host) Forward(ctx context.Context, r *http.Request) (*http.Response, error) {
	var body io.Reader
	if r.ContentLength > 0 && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, r.ContentLength))
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, h.URL+r.URL.RequestURI(), body)
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	out.Header.Set("X-Azure-Functions-InvocationId", NewInvocationID())
	out.Header.Set("X-Azure-Functions-HostVersion", HostVersion)
	out.Header.Set("User-Agent", strings.TrimSpace(r.Header.Get("User-Agent")+" Azure-Functions-Host/"+HostVersion))
	return h.Client.Do(out)
}

// Result is the host's view of a handler's answer to one invocation.
type Result struct {
	// InvocationID is the invocation's id.
	InvocationID string
	// Status, Header and Body are the answer as received.
	Status int
	Header http.Header
	Body   []byte
	// Failed is true when the host would count the invocation as failed
	// (and retry it, or answer 500 to an HTTP caller); Reason says why.
	Failed bool
	Reason string
	// Outputs, Logs and ReturnValue are the answer's members; all empty
	// when Failed (the host drops Logs of a failed invocation).
	Outputs     map[string]json.RawMessage
	Logs        []string
	ReturnValue json.RawMessage
}

// Check judges an answer by the host's rules: 2xx; Content-Type
// application/json or text/json (what Go's sniffing gives, text/plain, is
// rejected); a JSON object body with case-insensitive Outputs, Logs and
// ReturnValue; an http output ("res", or one holding statusCode/body) that
// is an object, or a string holding one, with a numeric statusCode and
// string header values.
func Check(status int, header http.Header, body []byte) *Result {
	res := &Result{Status: status, Header: header, Body: body}
	fail := func(format string, args ...any) *Result {
		res.Failed, res.Reason = true, fmt.Sprintf(format, args...)
		res.Outputs, res.Logs, res.ReturnValue = nil, nil, nil
		return res
	}
	if status < 200 || status > 299 {
		return fail("status %d is not a success: the host fails the invocation and drops its Logs", status)
	}
	mt, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "text/json") {
		return fail("Content-Type %q: the host wants application/json (UnsupportedMediaTypeException)", header.Get("Content-Type"))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return fail("body is not a JSON object (Invalid HttpResponseMessage): %.80q", body)
	}
	for k, v := range m {
		switch strings.ToLower(k) {
		case "outputs":
			if string(v) != "null" {
				if err := json.Unmarshal(v, &res.Outputs); err != nil {
					return fail("Outputs is not an object: %v", err)
				}
			}
		case "logs":
			if string(v) != "null" {
				if err := json.Unmarshal(v, &res.Logs); err != nil {
					return fail("Logs is not an array of strings: %v", err)
				}
			}
		case "returnvalue":
			if string(bytes.TrimSpace(v)) != "null" {
				res.ReturnValue = v
			}
		}
	}
	for name, v := range res.Outputs {
		if strings.EqualFold(name, "res") {
			if _, err := ParseHTTPOutput(v); err != nil {
				return fail("output %s: %v", name, err)
			}
		}
	}
	return res
}

// Output returns the named output (matched case-insensitively).
func (r *Result) Output(name string) (json.RawMessage, bool) {
	for k, v := range r.Outputs {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// HTTP returns what the HTTP caller receives from the "res" output; a
// failed invocation gives 500, as the host answers.
func (r *Result) HTTP() (*HTTPResponse, error) {
	if r.Failed {
		return &HTTPResponse{StatusCode: http.StatusInternalServerError, Header: http.Header{}}, nil
	}
	v, ok := r.Output("res")
	if !ok {
		return nil, errors.New("host simulator: no res output")
	}
	return ParseHTTPOutput(v)
}

// HTTPResponse is the answer an http output gives the HTTP caller.
type HTTPResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ParseHTTPOutput reads an http output value as the host's
// HttpOutputBindingResponse: statusCode (number or numeric string, falling
// back to status, default 200), headers (string values), body (a string
// written raw, anything else written as JSON text).
func ParseHTTPOutput(v json.RawMessage) (*HTTPResponse, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, err
		}
		v = []byte(s)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil || m == nil {
		return nil, fmt.Errorf("http output must be a JSON object, got %.60q (the caller gets 500)", v)
	}
	out := &HTTPResponse{StatusCode: http.StatusOK, Header: http.Header{}}
	get := func(name string) (json.RawMessage, bool) {
		for k, x := range m {
			if strings.EqualFold(k, name) {
				return x, true
			}
		}
		return nil, false
	}
	code, ok := get("statusCode")
	if !ok {
		code, ok = get("status")
	}
	if ok && string(code) != "null" {
		s := strings.Trim(string(code), `"`)
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("statusCode %s is not a number", code)
		}
		out.StatusCode = n
	}
	if hs, ok := get("headers"); ok && string(hs) != "null" {
		var hm map[string]json.RawMessage
		if err := json.Unmarshal(hs, &hm); err != nil {
			return nil, fmt.Errorf("headers must be an object: %v", err)
		}
		for k, x := range hm {
			var s string
			if err := json.Unmarshal(x, &s); err != nil {
				return nil, fmt.Errorf("header %s must be a string, got %s", k, x)
			}
			out.Header.Set(k, s)
		}
	}
	if b, ok := get("body"); ok && string(b) != "null" {
		var s string
		if json.Unmarshal(b, &s) == nil {
			out.Body = []byte(s)
		} else {
			var buf bytes.Buffer
			_ = json.Indent(&buf, b, "", "  ")
			out.Body = buf.Bytes()
		}
	}
	return out, nil
}

// Written returns the messages the host writes for a queue, Service Bus
// or Event Hubs output (or a $return bound to one) holding v: one per
// element of an array, strings as their text except that a string which
// is valid base64 is written as the decoded bytes — the host's base64 trap
// (azure-functions-host#8352) — and anything else as its JSON text. trapped
// reports whether the trap fired for some message.
func Written(v json.RawMessage) (msgs [][]byte, trapped bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return nil, false
	}
	if v[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(v, &items) == nil {
			for _, it := range items {
				m, t := Written(it)
				msgs, trapped = append(msgs, m...), trapped || t
			}
			return msgs, trapped
		}
	}
	if v[0] == '"' {
		var s string
		_ = json.Unmarshal(v, &s)
		if b, err := base64.StdEncoding.DecodeString(s); err == nil && s != "" {
			return [][]byte{b}, true
		}
		return [][]byte{[]byte(s)}, false
	}
	return [][]byte{v}, false
}
