package otelfn_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
)

// The Google contract: a Pub/Sub CloudEvent with traceparent T gives a log
// line with "logging.googleapis.com/trace": "projects/P/traces/T" and an
// exported span in T.
func TestGoogleContract(t *testing.T) {
	rcv := startReceiver(t)
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "")
	var logs bytes.Buffer
	app := startApp(t, func(ctx context.Context, e core.Event) (*core.Event, error) {
		slog.New(gcp.NewLogHandler(&logs, "P", nil)).InfoContext(ctx, "fulfilled")
		return nil, nil
	}, core.OnTopic("orders"))
	h, err := gcp.Handler(app, gcp.WithTarget("fulfil"))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"message":{"data":"aGk=","messageId":"m-1"},"subscription":"projects/P/subscriptions/s"}`))
	serveAndStop(t, app, h, req, map[string]string{"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": "m-1",
		"Ce-Type": "google.cloud.pubsub.topic.v1.messagePublished", "Ce-Source": "//pubsub.googleapis.com/projects/P/topics/orders",
		"Ce-Traceparent": tp})
	spans, _ := rcv.snapshot()
	inTrace := false
	for _, s := range spans {
		inTrace = inTrace || hex.EncodeToString(s.TraceId) == traceID
	}
	if !inTrace {
		t.Errorf("no exported span in trace %s: %v", traceID, spans)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if got := line["logging.googleapis.com/trace"]; got != "projects/P/traces/"+traceID {
		t.Errorf("log line %s: trace %v, want projects/P/traces/%s", logs.String(), got, traceID)
	}
}
