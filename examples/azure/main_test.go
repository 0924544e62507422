package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
)

// TestApp drives every function of the example through the host simulator.
func TestApp(t *testing.T) {
	// adapters.Run installs this handler; Handler alone does not.
	slog.SetDefault(slog.New(azure.NewLogHandler(io.Discard, io.Discard)))
	h, err := azure.Handler(newApp())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	host := azuretest.New(srv.URL)
	ctx := context.Background()

	res, err := host.Invoke(ctx, "hello", azuretest.HTTP("req", httptest.NewRequest("GET", "https://app.azurewebsites.net/hello?name=polyfn", nil), nil))
	if err != nil || res.Failed {
		t.Fatalf("hello: %v %+v", err, res)
	}
	if resp, _ := res.HTTP(); resp == nil || resp.StatusCode != 200 || string(resp.Body) != "{\"greeting\":\"hello, polyfn\",\"provider\":\"azure\"}\n" {
		t.Errorf("hello answers %+v", resp)
	}

	res, err = host.Invoke(ctx, "orders", azuretest.Queue("msg", azuretest.QueueMessage{ID: "o-1", DequeueCount: 1, Body: []byte(`{"id":"A1","quantity":2}`)}))
	if err != nil || res.Failed {
		t.Fatalf("orders: %v %+v", err, res)
	}
	msgs, trapped := azuretest.Written(res.ReturnValue)
	var accepted struct{ Type string }
	if trapped || len(msgs) != 1 || json.Unmarshal(msgs[0], &accepted) != nil || accepted.Type != "com.example.order.accepted" {
		t.Errorf("orders-accepted gets %q (trapped %v)", msgs, trapped)
	}
	if len(res.Logs) != 1 {
		t.Errorf("orders logs %q", res.Logs)
	}
	res, _ = host.Invoke(ctx, "orders", azuretest.Queue("msg", azuretest.QueueMessage{ID: "o-2", DequeueCount: 1, Body: []byte(`{"id":"A2","quantity":0}`)}))
	if !res.Failed {
		t.Error("a bad order should fail, to be poison-queued after retries")
	}

	res, err = host.Invoke(ctx, "cleanup", azuretest.Timer("timer", nil, true))
	if err != nil || res.Failed {
		t.Fatalf("cleanup: %v %+v", err, res)
	}

	pc := azuretest.PartitionContext{FullyQualifiedNamespace: "ns.servicebus.windows.net", EventHubName: "telemetry", ConsumerGroup: "$Default", PartitionId: "0"}
	batch := []azuretest.EventHubEvent{{SequenceNumber: 1, EnqueuedTime: time.Now(), Body: []byte(`{"deviceId":"d1","temperature":21}`)}, {SequenceNumber: 2, EnqueuedTime: time.Now(), Body: []byte(`{"deviceId":"d2","temperature":120}`)}}
	res, err = host.Invoke(ctx, "telemetry", azuretest.EventHubBatch("events", pc, batch, ""))
	if err != nil || res.Failed {
		t.Fatalf("telemetry: %v %+v", err, res)
	}
	batch = append(batch, azuretest.EventHubEvent{SequenceNumber: 3, Body: []byte(`{"deviceId":"d3"}`)})
	if res, _ = host.Invoke(ctx, "telemetry", azuretest.EventHubBatch("events", pc, batch, "")); !res.Failed {
		t.Error("a batch with a bad reading should fail as a whole")
	}
}
