package aws

import (
	"net/http"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
)

// TypeHTTPRequest is the type of an event synthesized from an HTTP request
// that is not a CloudEvent, for an event function.
const TypeHTTPRequest = "com.amazonaws.apigateway.request"

// IsCloudEvent reports whether an HTTP request with these headers carries
// CloudEvents: ce- headers (binary mode) or a Content-Type of
// application/cloudevents+json or application/cloudevents-batch+json.
func IsCloudEvent(h http.Header) bool { return cehttp.ModeOf(h) != cehttp.NotCloudEvent }

// CloudEvents returns the events an HTTP request brings an event function.
// req is the request Request built and body its body. A request that is a
// CloudEvent (see IsCloudEvent) is read per the CloudEvents HTTP binding,
// and batched reports whether it used the batched format; the error then
// wraps ErrMalformedPayload and names what is wrong. Any other request
// becomes one event of type com.amazonaws.apigateway.request: id = the
// request id (ALB, VPC Lattice: the X-Amzn-Trace-Id header), source =
// https://<host> (the target group ARN for ALB and VPC Lattice),
// subject = the path, data = the body with its Content-Type, polyfnkind
// http.request.
func (h *HTTPRequest) CloudEvents(req *http.Request, body []byte) (evs []core.Event, batched bool, err error) {
	if IsCloudEvent(req.Header) {
		evs, mode, err := cehttp.Read(req.Header, body)
		if err != nil {
			return nil, false, malformed("%v", err)
		}
		return evs, mode == cehttp.Batch, nil
	}
	var bld builder
	id, source := h.ID(), "https://"+req.Host
	var t time.Time
	switch {
	case h.v1 != nil:
		if ms := h.v1.RequestContext.RequestTimeEpoch; ms > 0 {
			t = time.UnixMilli(ms)
		}
	case h.v2 != nil:
		if ms := h.v2.timeEpoch; ms > 0 {
			t = time.UnixMilli(ms)
		}
	case h.alb != nil:
		if us := h.alb.timeEpoch; us > 0 {
			t = time.UnixMicro(us)
		}
		if tg := h.alb.targetGroupOf(req.Header); tg != "" {
			source = tg
		}
		id = req.Header.Get("X-Amzn-Trace-Id")
	}
	if req.Host == "" && h.alb == nil {
		source = "aws:apigateway"
	}
	if id == "" {
		return nil, false, malformed("%s request: no request id to use as the CloudEvent id", h.Source)
	}
	e, err := bld.newEvent(id, source, TypeHTTPRequest)
	if err != nil {
		return nil, false, malformed("%s request: %v", h.Source, err)
	}
	e.setKind(core.KindHTTPRequest)
	e.setSubject(req.URL.Path)
	e.setTime(t)
	if len(body) > 0 {
		e.setData(body, req.Header.Get("Content-Type"))
	}
	return []core.Event{e.event()}, false, nil
}
