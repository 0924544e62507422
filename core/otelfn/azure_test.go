package otelfn_test

import (
	"context"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
)

// Azure's host sends no trace context: the event's traceparent extension
// puts the function's span in that trace, and the reply carries it on.
func TestAzureEventTrace(t *testing.T) {
	rcv := startReceiver(t)
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "")
	app := startApp(t, func(ctx context.Context, e core.Event) (*core.Event, error) {
		r := core.NewEvent("r-1", "/fulfil", "com.example.fulfilled", "", nil)
		return &r, nil
	})
	h, err := azure.Handler(app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	r := httptest.NewRequest("POST", "https://x/fulfil", strings.NewReader(`{}`))
	for k, v := range map[string]string{"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": "e-1",
		"Ce-Source": "/orders", "Ce-Type": "com.example.order", "Ce-Traceparent": tp} {
		r.Header.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := azuretest.New(srv.URL).InvokeID(ctx, "fulfil", "inv-1", azuretest.HTTP("req", r, nil))
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	resp, err := res.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	spans, _ := rcv.snapshot()
	var inTrace []string
	for _, s := range spans {
		if hex.EncodeToString(s.TraceId) == traceID {
			inTrace = append(inTrace, s.Name)
		}
	}
	if len(inTrace) != 1 {
		t.Fatalf("spans in trace %s: %v, want the event's", traceID, inTrace)
	}
	if got := resp.Header.Get("Ce-Traceparent"); !strings.HasPrefix(got, "00-"+traceID+"-") || got == tp {
		t.Errorf("reply traceparent %q, want a span of trace %s", got, traceID)
	}
}
