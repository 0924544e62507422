package azure

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// HTTPTrigger is the host's JSON rendering of an HTTP request.
type HTTPTrigger struct {
	URL        string              `json:"Url"`
	Method     string              `json:"Method"`
	Query      json.RawMessage     `json:"Query"`
	Headers    map[string][]string `json:"Headers"`
	Params     map[string]*string  `json:"Params"`
	Identities json.RawMessage     `json:"Identities"`
	Body       *string             `json:"Body"`
}

// http decodes an HTTP trigger: the request for an HTTP function, and for
// an event function the CloudEvents it carries in the HTTP binding, or an
// http.request event holding its body.
func (d *decoder) http(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerHTTP
	r, body, err := HTTPRequest(context.Background(), raw)
	if err != nil {
		return err
	}
	d.inv.HTTP, d.inv.HTTPBody = r, body
	if cehttp.ModeOf(r.Header) != cehttp.NotCloudEvent {
		evs, mode, err := cehttp.ReadMax(r.Header, body, d.src.MaxBatchEvents)
		if err != nil {
			// The cause is kept: the adapter answers the HTTP caller 413
			// for a batch over the cap (cejson.ErrTooManyEvents), 400 else.
			return fmt.Errorf("%w: %w (%s mode): %w", ErrInvalidRequest, ErrInvalidCloudEvents, mode, err)
		}
		for i := range evs {
			evs[i] = withKind(evs[i], core.KindHTTPRequest)
		}
		d.inv.Events, d.inv.Batch = evs, mode == cehttp.Batch
		return nil
	}
	id := d.req.InvocationID
	if id == "" {
		id = d.fallbackID()
	}
	src := *r.URL
	src.RawQuery, src.Fragment = "", ""
	e, c, err := newEvent(id, d.source(src.String()), TypeHTTPRequest, core.KindHTTPRequest)
	if err != nil {
		return err
	}
	c.setSubject(r.URL.Path)
	c.setTime(d.req.Sys().UtcNow)
	if len(body) > 0 {
		if err := c.setBody(&e, body, r.Header.Get("Content-Type"), false); err != nil {
			return err
		}
	}
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// HTTPRequest builds the *http.Request an HTTP trigger value describes: URL,
// method, headers, route parameters as path values (r.PathValue), and the
// body, base64-decoded when the host encoded it (Content-Type
// application/octet-stream or multipart/*). It also returns the body bytes.
func HTTPRequest(ctx context.Context, raw json.RawMessage) (*http.Request, []byte, error) {
	var t HTTPTrigger
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, nil, invalid("HTTP trigger value: %v", err)
	}
	if t.Method == "" || t.URL == "" {
		return nil, nil, invalid("HTTP trigger value has no Method or Url")
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil, nil, invalid("HTTP trigger Url %q: %v", t.URL, err)
	}
	h := make(http.Header, len(t.Headers))
	for k, vs := range t.Headers {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	var body []byte
	if t.Body != nil {
		body = []byte(*t.Body)
		if mt := mediatype.Of(h.Get("Content-Type")); mt == "application/octet-stream" || strings.HasPrefix(mt, "multipart/") {
			if body, err = base64.StdEncoding.DecodeString(*t.Body); err != nil {
				return nil, nil, invalid("HTTP body of %s: base64 value: %v", mt, err)
			}
		}
	}
	r, err := http.NewRequestWithContext(ctx, strings.ToUpper(t.Method), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, invalid("HTTP trigger: %v", err)
	}
	r.Header = h
	r.Host = u.Host
	if hv := h.Get("Host"); hv != "" {
		r.Host = hv
	}
	r.RequestURI = u.RequestURI()
	r.ContentLength = int64(len(body))
	if xf := h.Get("X-Forwarded-For"); xf != "" {
		r.RemoteAddr, _, _ = strings.Cut(xf, ",")
	}
	for k, v := range t.Params {
		if v != nil {
			r.SetPathValue(k, *v)
		}
	}
	return r, body, nil
}
