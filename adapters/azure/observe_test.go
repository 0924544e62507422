package azure_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
)

// The host sends no trace context: the event's distributed-tracing
// extension gives a function's log lines their trace, on stdout and in
// the invocation's Logs, and its reply carries the trace onward.
func TestEventTraceOnAzure(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	app := core.NewApp()
	core.Must(app.Event("direct", func(ctx context.Context, e core.Event) (*core.Event, error) {
		core.InvocationFrom(ctx).Logger.InfoContext(ctx, "handled", "k", "v")
		r := core.NewEvent("r-1", "/reply", "com.example.reply", "", nil)
		return &r, nil
	}))
	ts := serve(t, app)
	r := httptest.NewRequest("POST", "https://x/direct", strings.NewReader(`{}`))
	for k, v := range map[string]string{"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": "e-1",
		"Ce-Source": "/orders", "Ce-Type": "com.example.order", "Ce-Traceparent": tp} {
		r.Header.Set(k, v)
	}
	res, err := ts.InvokeID(context.Background(), "direct", "inv-9", azuretest.HTTP("req", r, nil))
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if len(res.Logs) != 1 || res.Logs[0] != "INFO handled function=direct k=v" {
		t.Errorf("Logs = %q", res.Logs)
	}
	resp, err := res.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Ce-Traceparent"); got != tp {
		t.Errorf("reply traceparent %q, want %q", got, tp)
	}
	out := ts.stdout.String()
	for _, want := range []string{`"msg":"handled","function":"direct","invocation_id":"inv-9","event_id":"e-1","event_type":"com.example.order","event_source":"/orders"`,
		`"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","k":"v"}`} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %s:\n%s", want, out)
		}
	}
}
