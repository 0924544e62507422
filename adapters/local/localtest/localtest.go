// Package localtest serves an App on the local adapter for tests, as
// Knative, Cloud Run or a laptop deliver to it: CloudEvents over HTTP, one
// per request or several as a CloudEvents batch. Its harness runs the
// adapters/adaptertest conformance suite, and application tests use it as
// a wire (see examples/shop).
package localtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
)

// Harness serves an App with local.Handler on a loopback test server.
type Harness struct {
	srv    *httptest.Server
	header http.Header // sent with every delivery (Options.EventHeader)
}

// NewHarness serves app on the local adapter until t ends. Log lines go to
// t.Log when the test fails or runs verbose.
func NewHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	h, err := local.Handler(app, local.WithMaxBodyBytes(opts.MaxBodyBytes), local.WithLogger(adaptertest.Logger(t)))
	if err != nil {
		t.Fatalf("localtest: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Harness{srv: srv, header: opts.EventHeader}
}

// Features describes the local adapter.
func (h *Harness) Features() adaptertest.Features {
	return adaptertest.Features{Provider: "local", Replies: true, TellsPermanent: true, EventBodyLimit: true, GuardsEvents: true}
}

// Deliver POSTs e in binary mode to /{fn}.
func (h *Harness) Deliver(ctx context.Context, fn string, e core.Event) (adaptertest.Delivery, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", h.srv.URL+"/"+fn, bytes.NewReader(e.Data()))
	if err != nil {
		return adaptertest.Delivery{}, err
	}
	if err := cehttp.SetBinaryHeaders(req.Header, &e); err != nil {
		return adaptertest.Delivery{}, err
	}
	resp, body, err := h.send(req)
	if err != nil {
		return adaptertest.Delivery{}, err
	}
	d := adaptertest.Delivery{OK: resp.StatusCode/100 == 2, Permanent: permanent(resp.StatusCode)}
	if resp.StatusCode == http.StatusOK {
		reply, err := cehttp.ReadBinary(resp.Header, body)
		if err != nil {
			return d, fmt.Errorf("localtest: the reply is not a binary-mode CloudEvent: %w", err)
		}
		d.Reply = &reply
	}
	return d, nil
}

// permanent reports whether a Knative broker would not retry status: a 4xx
// other than 404, 408, 409 and 429.
func permanent(status int) bool {
	switch status {
	case 404, 408, 409, 429:
		return false
	}
	return status/100 == 4
}

// DeliverRecords POSTs recs as one CloudEvents batch to /{fn}: each record
// becomes an event with the record's id, its key as the partitionkey
// extension and the portable kind of trigger.
func (h *Harness) DeliverRecords(ctx context.Context, fn string, trigger core.TriggerKind, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	body, err := adaptertest.BatchBody("localtest", fn, trigger, recs)
	if err != nil {
		return adaptertest.BatchDelivery{}, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", h.srv.URL+"/"+fn, bytes.NewReader(body))
	if err != nil {
		return adaptertest.BatchDelivery{}, err
	}
	req.Header.Set("Content-Type", cehttp.BatchContentType)
	resp, b, err := h.send(req)
	if err != nil {
		return adaptertest.BatchDelivery{}, err
	}
	if resp.StatusCode/100 == 2 {
		return adaptertest.BatchDelivery{}, nil
	}
	var out struct {
		Failed []struct{ Index int } `json:"failed"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Failed) == 0 {
		return adaptertest.BatchDelivery{}, fmt.Errorf("localtest: status %d without a list of failed events: %s", resp.StatusCode, b)
	}
	var d adaptertest.BatchDelivery
	for _, f := range out.Failed {
		d.Redelivered = append(d.Redelivered, f.Index)
	}
	sort.Ints(d.Redelivered)
	return d, nil
}

// Semantics: the caller of a CloudEvents batch gets the failed events
// (with those of their ordering keys that did not run) and sends them again.
func (h *Harness) Semantics(core.TriggerKind) adaptertest.Semantics { return adaptertest.PerRecord }

// Do sends r to the test server.
func (h *Harness) Do(r *http.Request) (*http.Response, error) {
	u := *r.URL
	r = r.Clone(r.Context())
	r.URL, r.Host, r.RequestURI = &u, "", ""
	base, _ := http.NewRequest("GET", h.srv.URL, nil)
	r.URL.Scheme, r.URL.Host = base.URL.Scheme, base.URL.Host
	return h.srv.Client().Do(r)
}

func (h *Harness) send(req *http.Request) (*http.Response, []byte, error) {
	for k, vs := range h.header {
		req.Header[k] = vs
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
