package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	adazure "github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/azure"
)

// gcpWire delivers as Google does to a Cloud Run / Cloud Functions
// container: Eventarc CloudEvents in binary mode, one message per request
// (Pub/Sub for queues, topics and streams, with the ordering key for
// streams; Cloud Scheduler for schedules).
type gcpWire struct{ srv *httptest.Server }

func newGCPWire(t *testing.T, app *core.App) wire {
	h, err := gcp.Handler(app, gcp.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return gcpWire{srv}
}

func (g gcpWire) http(t *testing.T, method, path, apiKey, body string) (int, string) {
	return localWire{g.srv}.http(t, method, path, apiKey, body)
}

func (g gcpWire) deliver(t *testing.T, fn string, kind core.TriggerKind, recs []record) []string {
	var failed []string
	for _, r := range recs {
		typ, source := "google.cloud.pubsub.topic.v1.messagePublished", "//pubsub.googleapis.com/projects/shop/topics/"+fn
		msg := map[string]any{"data": base64.StdEncoding.EncodeToString([]byte(r.data)), "messageId": r.id, "publishTime": "2026-11-25T02:00:00Z"}
		if r.key != "" {
			msg["orderingKey"] = r.key
		}
		body, _ := json.Marshal(map[string]any{"message": msg, "subscription": "projects/shop/subscriptions/" + fn})
		if kind == core.TriggerSchedule {
			typ, source = "google.cloud.scheduler.job.v1.executed", "//cloudscheduler.googleapis.com/projects/shop/locations/us-central1/jobs/"+fn
			body, _ = json.Marshal(map[string]any{"customData": base64.StdEncoding.EncodeToString([]byte(r.data))})
		}
		req, _ := http.NewRequest("POST", g.srv.URL+"/"+fn, bytes.NewReader(body))
		req.Header = http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {r.id}, "Ce-Source": {source}, "Ce-Type": {typ},
			"Ce-Time": {"2026-11-25T02:00:00Z"}, "Content-Type": {"application/json"}}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
		case resp.StatusCode == 500 || resp.StatusCode == 422: // retryable, permanent: both nack the message
			failed = append(failed, r.id)
		default:
			t.Fatalf("%s %s: status %d: %s", fn, r.id, resp.StatusCode, b)
		}
	}
	sort.Strings(failed)
	return failed
}

func TestScenarioGCP(t *testing.T) { scenario(t, newGCPWire) }

// azureWire delivers as the Functions host does to a custom handler:
// Queue Storage and Service Bus one message per invocation, Event Hubs in
// batches (a failed record fails the whole invocation: Azure has no
// partial failure), Timer for schedules.
type azureWire struct {
	app  *core.App
	host *azuretest.Host
}

func newAzureWire(t *testing.T, app *core.App) wire {
	h, err := adazure.Handler(app, adazure.WithOutput(io.Discard, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return azureWire{app, azuretest.New(srv.URL)}
}

func (a azureWire) binding(t *testing.T, fn string) string {
	f, _ := a.app.Function(fn)
	b, err := azure.TriggerBinding(f)
	if err != nil {
		t.Fatal(err)
	}
	return b.Name
}

func (a azureWire) http(t *testing.T, method, path, apiKey, body string) (int, string) {
	r, _ := http.NewRequest(method, "https://shop.azurewebsites.net"+path, strings.NewReader(body))
	if apiKey != "" {
		r.Header.Set("X-Api-Key", apiKey)
	}
	res, err := a.host.Invoke(context.Background(), "api", azuretest.HTTP(a.binding(t, "api"), r, nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed {
		t.Fatalf("api: the host counts the invocation as failed: %s", res.Reason)
	}
	out, err := res.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	return out.StatusCode, string(out.Body)
}

func (a azureWire) deliver(t *testing.T, fn string, kind core.TriggerKind, recs []record) []string {
	ctx := context.Background()
	binding := a.binding(t, fn)
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	invoke := func(req azuretest.Request) bool {
		res, err := a.host.Invoke(ctx, fn, req)
		if err != nil {
			t.Fatal(err)
		}
		return !res.Failed
	}
	var failed []string
	switch kind {
	case core.TriggerStream:
		var evs []azuretest.EventHubEvent
		for i, r := range recs {
			evs = append(evs, azuretest.EventHubEvent{SequenceNumber: int64(i + 1), Offset: fmt.Sprint(i * 100), PartitionKey: r.key, EnqueuedTime: now, Body: []byte(r.data)})
		}
		pc := azuretest.PartitionContext{FullyQualifiedNamespace: "shop.servicebus.windows.net", EventHubName: "inventory-changes", ConsumerGroup: "$Default", PartitionId: "0"}
		if !invoke(azuretest.EventHubBatch(binding, pc, evs, "")) {
			for _, r := range recs {
				failed = append(failed, r.id)
			}
		}
	default:
		for _, r := range recs {
			var req azuretest.Request
			switch kind {
			case core.TriggerQueue:
				req = azuretest.Queue(binding, azuretest.QueueMessage{ID: r.id, DequeueCount: 1, InsertionTime: now, Body: []byte(r.data)})
			case core.TriggerTopic:
				req = azuretest.ServiceBus(binding, azuretest.ServiceBusMessage{MessageID: r.id, ContentType: "application/json", DeliveryCount: 1, EnqueuedTime: now, Body: []byte(r.data)})
			case core.TriggerSchedule:
				req = azuretest.Timer(binding, &azuretest.ScheduleStatus{Last: now.Add(-24 * time.Hour), Next: now.Add(24 * time.Hour), LastUpdated: now}, false)
			}
			if !invoke(req) {
				failed = append(failed, r.id)
			}
		}
	}
	sort.Strings(failed)
	return failed
}

func TestScenarioAzure(t *testing.T) { scenario(t, newAzureWire) }
