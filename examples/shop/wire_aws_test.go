package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"

	adaws "github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/core"
)

// awsWire delivers as Lambda's event sources do, to the adapter's handler
// in process: SQS and Kinesis in batches answered with batchItemFailures,
// SNS and EventBridge schedules one event per invocation, API Gateway HTTP
// API requests.
type awsWire struct {
	handlers map[string]*adaws.Handler
}

func newAWSWire(t *testing.T, app *core.App) wire {
	w := awsWire{handlers: map[string]*adaws.Handler{}}
	for _, f := range app.Functions() {
		h, err := adaws.NewHandler(app, adaws.WithFunction(f.Name), adaws.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			t.Fatal(err)
		}
		w.handlers[f.Name] = h
	}
	return w
}

func (a awsWire) http(t *testing.T, method, path, apiKey, body string) (int, string) {
	r, _ := http.NewRequest(method, "https://shop.example"+path, strings.NewReader(body))
	if apiKey != "" {
		r.Header.Set("X-Api-Key", apiKey)
	}
	out, err := a.handlers["api"].Invoke(context.Background(), awstest.APIGatewayV2("req-1", r))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		StatusCode      int    `json:"statusCode"`
		Body            string `json:"body"`
		IsBase64Encoded bool   `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if resp.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(resp.Body)
		resp.Body = string(b)
	}
	return resp.StatusCode, resp.Body
}

func (a awsWire) deliver(t *testing.T, fn string, kind core.TriggerKind, recs []record) []string {
	h := a.handlers[fn]
	ctx := context.Background()
	batch := func(payload []byte, ids map[string]string) []string {
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		var res struct {
			BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: %v: %s", fn, err, out)
		}
		var failed []string
		for _, f := range res.BatchItemFailures {
			failed = append(failed, ids[f.ItemIdentifier])
		}
		return failed
	}
	var failed []string
	switch kind {
	case core.TriggerQueue:
		var msgs []awstest.SQSMessage
		ids := map[string]string{}
		for _, r := range recs {
			msgs = append(msgs, awstest.SQSMessage{ID: r.id, Body: []byte(r.data)})
			ids[r.id] = r.id
		}
		failed = batch(awstest.SQS("orders", msgs...), ids)
	case core.TriggerStream:
		var krs []awstest.KinesisRecord
		ids := map[string]string{} // Kinesis reports the first failed sequence number
		for i, r := range recs {
			seq := fmt.Sprintf("4959%020d", i+1)
			krs = append(krs, awstest.KinesisRecord{PartitionKey: r.key, Sequence: seq, Data: []byte(r.data)})
			ids[seq] = r.id
		}
		failed = batch(awstest.Kinesis("inventory-changes", krs...), ids)
	default:
		for _, r := range recs {
			payload := awstest.SNS("order-placed", r.id, "", []byte(r.data))
			if kind == core.TriggerSchedule {
				payload = awstest.Scheduled(r.id, "nightly-report")
			}
			if _, err := h.Invoke(ctx, payload); err != nil {
				failed = append(failed, r.id)
			}
		}
	}
	sort.Strings(failed)
	return failed
}

func TestScenarioAWS(t *testing.T) { scenario(t, newAWSWire) }
