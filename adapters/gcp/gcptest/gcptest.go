// Package gcptest serves an App on the gcp adapter for tests, as Google
// delivers to a Cloud Run service or a Cloud Functions (2nd gen) container:
// Eventarc CloudEvents in binary mode, one event per request; Pub/Sub
// messages (queues, topics and streams) as messagePublished events, in
// order, with ordered delivery per ordering key; Cloud Scheduler runs as
// job-executed events. Its harness runs the adapters/adaptertest
// conformance suite, and application tests use it as a wire (see
// examples/shop).
package gcptest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// Project is the Google Cloud project the harness's resource names use.
const Project = "gcptest"

// Harness delivers to a server that follows the Cloud Functions HTTP
// contract: gcp.Handler on a loopback test server (NewHarness), or any
// other (New). Its methods may be called concurrently.
type Harness struct {
	app    *core.App
	target Target
	exec   atomic.Int64 // the last Function-Execution-Id handed out
}

// A Target is a server that serves an App under the Cloud Functions HTTP
// contract, for New.
type Target struct {
	// URL is the server's base URL.
	URL string
	// Path returns the path event function fn is served at; nil means
	// "/" + fn, as without FUNCTION_TARGET.
	Path func(fn string) string
	// Features describes what the server carries; the zero value means
	// what gcp.Handler carries (see Harness.Features).
	Features adaptertest.Features
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Header holds headers every delivery carries (credentials, from
	// adaptertest.Options.EventHeader).
	Header http.Header
}

// NewHarness serves app with gcp.Handler, without a FUNCTION_TARGET (every
// function at its own path), on a loopback test server until t ends. Log
// lines go to t.Log when the test fails or runs verbose.
func NewHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	h, err := gcp.Handler(app, gcp.WithMaxBodyBytes(opts.MaxBodyBytes), gcp.WithLogger(adaptertest.Logger(t)))
	if err != nil {
		t.Fatalf("gcptest: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(app, Target{URL: srv.URL, Client: srv.Client(), Header: opts.EventHeader})
}

// New returns a harness that delivers to the server t describes, which
// serves app; the harness reads app's trigger declarations only (the
// Pub/Sub topic of a function).
func New(app *core.App, t Target) *Harness {
	if t.Path == nil {
		t.Path = func(fn string) string { return "/" + fn }
	}
	if t.Features == (adaptertest.Features{}) {
		t.Features = adaptertest.Features{Provider: "gcp", Replies: true, TellsPermanent: true, EventBodyLimit: true, GuardsEvents: true}
	}
	if t.Client == nil {
		t.Client = http.DefaultClient
	}
	return &Harness{app: app, target: t}
}

// Features describes the server: for gcp.Handler, replies in the answer
// (Knative and Cloud Run callers can route them; Eventarc ignores a 2xx
// body), 422 for a permanent failure, and a body limit on events.
func (h *Harness) Features() adaptertest.Features { return h.target.Features }

// Deliver POSTs e in binary mode to fn's path, as Eventarc does. The reply is
// the event of a 200 answer in binary mode.
func (h *Harness) Deliver(ctx context.Context, fn string, e core.Event) (adaptertest.Delivery, error) {
	resp, body, err := h.post(ctx, fn, e)
	if err != nil {
		return adaptertest.Delivery{}, err
	}
	d := adaptertest.Delivery{OK: resp.StatusCode/100 == 2, Permanent: resp.StatusCode == http.StatusUnprocessableEntity}
	if resp.StatusCode == http.StatusOK && h.target.Features.Replies {
		reply, err := cehttp.ReadBinary(resp.Header, body)
		if err != nil {
			return d, fmt.Errorf("gcptest: the reply is not a binary-mode CloudEvent: %w", err)
		}
		d.Reply = &reply
	}
	return d, nil
}

// DeliverRecords delivers recs to fn's path one at a time, in order, as
// Eventarc pushes Pub/Sub messages: each record becomes a messagePublished
// CloudEvent (queues, topics and streams all travel on Pub/Sub) whose
// message has the record's id, data and key as ordering key, or, for
// core.TriggerSchedule, a Cloud Scheduler job-executed event whose custom
// data is the record's data. A 2xx answer acknowledges a record; 422 and
// 500 send it back. With ordering keys, Pub/Sub delivers nothing more of a
// key whose message failed until that message succeeds: the later records
// of the key are not sent, and count as redelivered.
func (h *Harness) DeliverRecords(ctx context.Context, fn string, trigger core.TriggerKind, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	var d adaptertest.BatchDelivery
	blocked := map[string]bool{}
	for i, r := range recs {
		if r.Key != "" && blocked[r.Key] {
			d.Redelivered = append(d.Redelivered, i)
			continue
		}
		e, err := h.record(fn, trigger, r)
		if err != nil {
			return d, err
		}
		resp, body, err := h.post(ctx, fn, e)
		if err != nil {
			return d, err
		}
		switch resp.StatusCode {
		case http.StatusOK, http.StatusCreated, http.StatusAccepted, http.StatusNoContent:
		case http.StatusUnprocessableEntity, http.StatusInternalServerError:
			d.Redelivered = append(d.Redelivered, i)
			if r.Key != "" {
				blocked[r.Key] = true
			}
		default:
			return d, fmt.Errorf("gcptest: record %d (%s): status %d: %s", i, r.ID, resp.StatusCode, body)
		}
	}
	return d, nil
}

// published is the time the harness says its records were published.
var published = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// record returns the CloudEvent Eventarc delivers for r.
func (h *Harness) record(fn string, trigger core.TriggerKind, r adaptertest.Record) (core.Event, error) {
	if trigger == core.TriggerSchedule {
		data, err := json.Marshal(gcpprov.SchedulerJobData{CustomData: r.Data})
		if err != nil {
			return core.Event{}, err
		}
		e := core.NewEvent(r.ID, "//cloudscheduler.googleapis.com/projects/"+Project+"/locations/us-central1/jobs/"+fn,
			gcpprov.TypeSchedulerJobExecuted, "application/json", data)
		e.SetTime(published)
		return e, nil
	}
	msg := map[string]any{
		"data":        base64.StdEncoding.EncodeToString(r.Data),
		"messageId":   r.ID,
		"publishTime": published.Format(time.RFC3339Nano),
	}
	if r.Key != "" {
		msg["orderingKey"] = r.Key
	}
	data, err := json.Marshal(map[string]any{"message": msg, "subscription": "projects/" + Project + "/subscriptions/" + fn})
	if err != nil {
		return core.Event{}, err
	}
	e := core.NewEvent(r.ID, "//pubsub.googleapis.com/projects/"+Project+"/topics/"+h.topic(fn), gcpprov.TypePubSubMessagePublished, "application/json", data)
	e.SetTime(published)
	return e, nil
}

// topic returns the Pub/Sub topic of fn: the name its queue, topic or
// stream trigger declares, else fn.
func (h *Harness) topic(fn string) string {
	if f, ok := h.app.Function(fn); ok {
		for _, t := range f.Triggers {
			switch t.Kind {
			case core.TriggerQueue, core.TriggerTopic, core.TriggerStream:
				return t.Name
			}
		}
	}
	return fn
}

// Semantics: Pub/Sub redelivers each message that was not acknowledged,
// and holds back the later messages of its ordering key.
func (h *Harness) Semantics(core.TriggerKind) adaptertest.Semantics { return adaptertest.PerRecord }

// Do sends r to the server, with a Function-Execution-Id as Cloud
// Functions adds one to every request.
func (h *Harness) Do(r *http.Request) (*http.Response, error) {
	base, err := url.Parse(h.target.URL)
	if err != nil {
		return nil, fmt.Errorf("gcptest: target URL: %w", err)
	}
	u := *r.URL
	u.Scheme, u.Host = base.Scheme, base.Host
	u.Path = strings.TrimSuffix(base.Path, "/") + u.Path
	r = r.Clone(r.Context())
	r.URL, r.Host, r.RequestURI = &u, "", ""
	r.Header.Set("Function-Execution-Id", h.executionID())
	return h.target.Client.Do(r)
}

func (h *Harness) executionID() string {
	return "gcptest-" + strconv.FormatInt(h.exec.Add(1), 10)
}

// post sends e in binary mode to fn's path and returns the answer and its
// body.
func (h *Harness) post(ctx context.Context, fn string, e core.Event) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(h.target.URL, "/")+h.target.Path(fn), bytes.NewReader(e.Data()))
	if err != nil {
		return nil, nil, err
	}
	if err := cehttp.SetBinaryHeaders(req.Header, &e); err != nil {
		return nil, nil, err
	}
	req.Header.Set("Function-Execution-Id", h.executionID())
	for k, vs := range h.target.Header {
		req.Header[k] = vs
	}
	resp, err := h.target.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
