package aws

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// A ResponseWriter is the http.ResponseWriter an HTTP function writes to.
// It buffers the whole response (Lambda's buffered invoke mode). The zero
// value is not usable; call NewResponseWriter. It is not safe for
// concurrent use, as no http.ResponseWriter is.
type ResponseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewResponseWriter returns an empty ResponseWriter.
func NewResponseWriter() *ResponseWriter {
	return &ResponseWriter{header: make(http.Header, 4)}
}

// Header returns the response header map.
func (w *ResponseWriter) Header() http.Header { return w.header }

// WriteHeader records the status code. Only the first call counts, as with
// net/http; 1xx codes are ignored.
func (w *ResponseWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return
	}
	w.status = code
}

// Write appends to the body, sending status 200 first if none was written.
func (w *ResponseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// Flush does nothing: the response is sent when the handler returns.
func (w *ResponseWriter) Flush() {}

// Status returns the status written, or 200 if the handler wrote nothing.
func (w *ResponseWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Body returns the body written so far. The slice is valid until the next
// Write.
func (w *ResponseWriter) Body() []byte { return w.body.Bytes() }

// Response renders w, the response an HTTP function wrote for h, as the
// response object of h's source:
//
//   - REST API: statusCode, multiValueHeaders (Set-Cookie included), body,
//     isBase64Encoded;
//   - HTTP API and Function URL: statusCode, headers with multiple values
//     comma-joined, Set-Cookie values in cookies, body, isBase64Encoded;
//   - ALB and VPC Lattice: statusCode, statusDescription ("200 OK"), and headers or
//     multiValueHeaders in the style of the request (a single-value target
//     group carries only the first Set-Cookie, and other repeated headers
//     comma-joined).
//
// A handler that wrote nothing gives 200 with an empty body. A missing
// Content-Type is sniffed from the body, as net/http does. The body is
// base64-encoded unless its content type is text (text/*, JSON, XML,
// JavaScript, form data) without a Content-Encoding, and it is valid UTF-8.
func (h *HTTPRequest) Response(w *ResponseWriter) []byte {
	status := w.Status()
	body := w.body.Bytes()
	hdr := w.header
	if len(body) > 0 && hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", http.DetectContentType(body))
	}
	b64 := isBinaryBody(hdr, body)

	out := make([]byte, 0, 128+len(body)+len(body)/3)
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(status), 10)
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	switch {
	case h.v2 != nil:
		out = append(out, `,"headers":{`...)
		n := 0
		var cookies []string
		for _, k := range keys {
			vs := hdr[k]
			if k == "Set-Cookie" {
				cookies = vs
				continue
			}
			if len(vs) == 0 {
				continue
			}
			out = appendKV(out, n, k, strings.Join(vs, ","))
			n++
		}
		out = append(out, '}')
		if len(cookies) > 0 {
			out = append(out, `,"cookies":[`...)
			for i, c := range cookies {
				if i > 0 {
					out = append(out, ',')
				}
				out = cejson.AppendString(out, c)
			}
			out = append(out, ']')
		}
	case h.alb != nil && !h.multi:
		out = append(out, `,"statusDescription":`...)
		out = cejson.AppendString(out, statusDescription(status))
		out = append(out, `,"headers":{`...)
		n := 0
		for _, k := range keys {
			vs := hdr[k]
			if len(vs) == 0 {
				continue
			}
			v := vs[0]
			if k != "Set-Cookie" {
				v = strings.Join(vs, ",")
			}
			out = appendKV(out, n, k, v)
			n++
		}
		out = append(out, '}')
	default: // REST API, multi-value ALB
		if h.alb != nil {
			out = append(out, `,"statusDescription":`...)
			out = cejson.AppendString(out, statusDescription(status))
		}
		out = append(out, `,"multiValueHeaders":{`...)
		n := 0
		for _, k := range keys {
			vs := hdr[k]
			if len(vs) == 0 {
				continue
			}
			if n > 0 {
				out = append(out, ',')
			}
			out = cejson.AppendString(out, k)
			out = append(out, ":["...)
			for i, v := range vs {
				if i > 0 {
					out = append(out, ',')
				}
				out = cejson.AppendString(out, v)
			}
			out = append(out, ']')
			n++
		}
		out = append(out, '}')
	}
	out = append(out, `,"body":`...)
	if b64 {
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, body)
		out = append(out, `","isBase64Encoded":true}`...)
		return out
	}
	out = cejson.AppendString(out, string(body))
	return append(out, `,"isBase64Encoded":false}`...)
}

func appendKV(out []byte, n int, k, v string) []byte {
	if n > 0 {
		out = append(out, ',')
	}
	out = cejson.AppendString(out, k)
	out = append(out, ':')
	return cejson.AppendString(out, v)
}

func statusDescription(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// isBinaryBody decides whether a response body travels base64-encoded.
func isBinaryBody(h http.Header, body []byte) bool {
	if len(body) == 0 {
		return false
	}
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return true
	}
	if !utf8.Valid(body) {
		return true
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		return false
	}
	return !isTextMediaType(mediatype.Of(ct))
}

// isTextMediaType reports whether responses of media type mt (lower case,
// no parameters) are text.
func isTextMediaType(mt string) bool {
	if mt != "" && mediatype.IsJSON(mt) || mediatype.IsText(mt) {
		return true
	}
	switch mt {
	case "application/javascript", "application/x-www-form-urlencoded", "application/graphql",
		"application/x-ndjson", "application/yaml":
		return true
	}
	return false
}
