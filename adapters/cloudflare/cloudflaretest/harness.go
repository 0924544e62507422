// Package cloudflaretest tests the Cloudflare Workers adapter: a harness
// for the adapters/adaptertest conformance suite that hands an App, in the
// test's process, exactly what worker.mjs hands the Go program (a fetch
// head and body, a queue batch, a Cron Trigger tick), and a runner that
// builds a program for GOOS=js GOARCH=wasm and serves it under workerd,
// Cloudflare's open-source Workers runtime, on loopback.
package cloudflaretest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// origin is the URL the harness's requests claim to reach.
const origin = "https://worker.example"

// Harness serves an App with cloudflare.Handler as worker.mjs drives it.
type Harness struct {
	h      *cloudflare.Handler
	app    *core.App
	header http.Header // sent with every delivery over fetch (Options.EventHeader)
}

// NewHarness serves app on the Cloudflare adapter's Handler until t ends.
// Log lines go to t.Log when the test fails or runs verbose.
func NewHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	h, err := cloudflare.NewHandler(app, cloudflare.Config{Logger: adaptertest.Logger(t), MaxBodyBytes: opts.MaxBodyBytes})
	if err != nil {
		t.Fatalf("cloudflaretest: %v", err)
	}
	return &Harness{h: h, app: app, header: opts.EventHeader}
}

// Features describes Workers: fetch is the local adapter's HTTP serving.
func (h *Harness) Features() adaptertest.Features {
	return adaptertest.Features{Provider: cloudflare.Provider, Replies: true, TellsPermanent: true, EventBodyLimit: true, GuardsEvents: true}
}

// Deliver sends e in binary mode to POST /{fn} through Fetch.
func (h *Harness) Deliver(_ context.Context, fn string, e core.Event) (adaptertest.Delivery, error) {
	hd := http.Header{}
	if err := cehttp.SetBinaryHeaders(hd, &e); err != nil {
		return adaptertest.Delivery{}, err
	}
	resp, body := h.fetch("POST", "/"+fn, hd, e.Data())
	d := adaptertest.Delivery{OK: resp.StatusCode/100 == 2, Permanent: resp.StatusCode == http.StatusUnprocessableEntity}
	if resp.StatusCode == http.StatusOK {
		reply, err := cehttp.ReadBinary(resp.Header, body)
		if err != nil {
			return d, fmt.Errorf("cloudflaretest: the reply is not a binary-mode CloudEvent: %w", err)
		}
		d.Reply = &reply
	}
	return d, nil
}

// DeliverRecords delivers queue records as a Cloudflare Queues batch to the
// queue fn consumes, and records of other sources as one CloudEvents batch
// over fetch (Workers have no stream or topic trigger: such events reach
// a Worker over HTTP).
func (h *Harness) DeliverRecords(_ context.Context, fn string, trigger core.TriggerKind, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	if trigger == core.TriggerQueue {
		return h.queue(fn, recs)
	}
	body, err := adaptertest.BatchBody("cloudflaretest", fn, trigger, recs)
	if err != nil {
		return adaptertest.BatchDelivery{}, err
	}
	resp, b := h.fetch("POST", "/"+fn, http.Header{"Content-Type": {cehttp.BatchContentType}}, body)
	if resp.StatusCode/100 == 2 {
		return adaptertest.BatchDelivery{}, nil
	}
	var out struct {
		Failed []struct{ Index int } `json:"failed"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Failed) == 0 {
		return adaptertest.BatchDelivery{}, fmt.Errorf("cloudflaretest: status %d without a list of failed events: %s", resp.StatusCode, b)
	}
	var d adaptertest.BatchDelivery
	for _, f := range out.Failed {
		d.Redelivered = append(d.Redelivered, f.Index)
	}
	sort.Ints(d.Redelivered)
	return d, nil
}

// queue hands recs to Handler.Queue as worker.mjs does and reads the
// verdict: the retried messages are the ones Cloudflare delivers again.
func (h *Harness) queue(fn string, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	f, ok := h.app.Function(fn)
	if !ok {
		return adaptertest.BatchDelivery{}, fmt.Errorf("cloudflaretest: no function %q", fn)
	}
	t, ok := f.Trigger(core.TriggerQueue)
	if !ok {
		return adaptertest.BatchDelivery{}, fmt.Errorf("cloudflaretest: function %q consumes no queue", fn)
	}
	qb := QueueBatch(t.Name, recs)
	b, err := json.Marshal(qb)
	if err != nil {
		return adaptertest.BatchDelivery{}, err
	}
	out, err := h.h.Queue(context.Background(), b)
	if err != nil {
		return adaptertest.BatchDelivery{}, err
	}
	var v pcf.QueueVerdict
	if err := json.Unmarshal(out, &v); err != nil || len(v.Outcomes) != len(recs) {
		return adaptertest.BatchDelivery{}, fmt.Errorf("cloudflaretest: verdict %s for %d messages", out, len(recs))
	}
	var d adaptertest.BatchDelivery
	for i, o := range v.Outcomes {
		if o != pcf.Ack {
			d.Redelivered = append(d.Redelivered, i)
		}
	}
	return d, nil
}

// QueueBatch returns the batch worker.mjs builds for recs on queue, their
// JSON bodies sent with contentType json, at their first attempt.
func QueueBatch(queue string, recs []adaptertest.Record) pcf.QueueBatch {
	qb := pcf.QueueBatch{Queue: queue}
	for i, r := range recs {
		qb.Messages = append(qb.Messages, pcf.QueueMessage{ID: r.ID, Timestamp: float64(1764244800000 + i), Attempts: 1, Format: "json", Body: r.Data})
	}
	return qb
}

// Semantics: Cloudflare Queues redelivers the retried messages; events
// over fetch are redelivered by their sender, from the failed list.
func (h *Harness) Semantics(core.TriggerKind) adaptertest.Semantics { return adaptertest.PerRecord }

// Do sends r through Fetch, as worker.mjs passes a request.
func (h *Harness) Do(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
	}
	resp, b := h.do(r.Method, r.URL.RequestURI(), r.Header, body, false)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func (h *Harness) fetch(method, path string, hd http.Header, body []byte) (*http.Response, []byte) {
	return h.do(method, path, hd, body, true)
}

func (h *Harness) do(method, path string, hd http.Header, body []byte, event bool) (*http.Response, []byte) {
	var head strings.Builder
	head.WriteString(method + "\n" + origin + path + "\n")
	head.WriteString("host:worker.example\n")
	add := func(hd http.Header) {
		for k, vs := range hd {
			for _, v := range vs {
				head.WriteString(strings.ToLower(k) + ":" + v + "\n")
			}
		}
	}
	add(hd)
	if event {
		add(h.header)
	}
	if body != nil {
		head.WriteString("content-length:" + strconv.Itoa(len(body)) + "\n")
	}
	status, lines, out := h.h.Fetch(head.String(), body)
	return Response(status, lines), out
}

// Response returns the http.Response, without body, of a Fetch answer.
func Response(status int, lines string) *http.Response {
	resp := &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status), Header: http.Header{}, Body: http.NoBody}
	for _, l := range strings.Split(lines, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			resp.Header.Add(k, v)
		}
	}
	return resp
}
