package azure_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/testproc"
)

func ceJSON(id, data string) string {
	return `{"specversion":"1.0","id":"` + id + `","source":"/c","type":"t","datacontenttype":"application/json","data":` + data + `}`
}

// invokeHTTP sends body to the event function fn over an HTTP trigger and
// returns what its caller gets.
func invokeHTTP(t *testing.T, ts *testServer, fn, ct, body string) *azuretest.HTTPResponse {
	t.Helper()
	r := httptest.NewRequest("POST", "https://polyfn.azurewebsites.net/"+fn, strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	res, err := ts.Invoke(context.Background(), fn, azuretest.HTTP("req", r, nil))
	if err != nil || res.Failed {
		t.Fatalf("the invocation failed: %v %+v", err, res)
	}
	resp, err := res.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestHTTPBatchReplies: an event function on an HTTP trigger that gets a
// CloudEvents batch answers every reply, in order, as a batch; a batch
// over the cap gets 413.
func TestHTTPBatchReplies(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("direct", func(ctx context.Context, e core.Event) (*core.Event, error) {
		if string(e.Data()) == `"none"` {
			return nil, nil
		}
		return reply(e), nil
	}))
	ts := serve(t, app, azure.WithMaxBatchEvents(3))
	tests := []struct {
		name   string
		ids    []string
		data   string
		status int
		want   []string // reply ids, in order
	}{
		{"three replies", []string{"a", "b", "c"}, `"x"`, 200, []string{"a.reply", "b.reply", "c.reply"}},
		{"one event in a batch", []string{"d"}, `"x"`, 200, []string{"d.reply"}},
		{"no replies", []string{"e", "f"}, `"none"`, 204, nil},
		{"over the cap", []string{"g", "h", "i", "j"}, `"x"`, 413, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := make([]string, len(tt.ids))
			for i, id := range tt.ids {
				evs[i] = ceJSON(id, tt.data)
			}
			resp := invokeHTTP(t, ts, "direct", "application/cloudevents-batch+json", "["+strings.Join(evs, ",")+"]")
			if resp.StatusCode != tt.status {
				t.Fatalf("caller gets %d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/cloudevents-batch+json" {
				t.Errorf("Content-Type %q, want the batch format", ct)
			}
			var got []struct{ ID string }
			if err := json.Unmarshal(resp.Body, &got); err != nil {
				t.Fatalf("replies %s: %v", resp.Body, err)
			}
			ids := make([]string, len(got))
			for i, g := range got {
				ids[i] = g.ID
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("replies %v, want %v", ids, tt.want)
			}
		})
	}
}

// TestErrorTextHidden: an HTTP caller of an event function learns how it
// failed and the invocation id, never the error text, which is logged.
func TestErrorTextHidden(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("direct", func(ctx context.Context, e core.Event) (*core.Event, error) {
		switch string(e.Data()) {
		case `"panic"`:
			panic(testproc.Secret)
		case `"refuse"`:
			return nil, core.Permanent(errors.New(testproc.Secret))
		}
		return nil, errors.New(testproc.Secret)
	}))
	ts := serve(t, app)
	tests := []struct {
		name, ct, body string
		status         int
		kind           string
	}{
		{"retryable", "application/cloudevents+json", ceJSON("a", `"fail"`), 500, "retryable"},
		{"permanent", "application/cloudevents+json", ceJSON("b", `"refuse"`), 422, "permanent"},
		{"panic", "application/cloudevents+json", ceJSON("c", `"panic"`), 500, "retryable"},
		{"batch", "application/cloudevents-batch+json", "[" + ceJSON("d", `"refuse"`) + "," + ceJSON("e", `"fail"`) + "]", 500, "retryable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := invokeHTTP(t, ts, "direct", tt.ct, tt.body)
			body := string(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(body, `"kind":"`+tt.kind+`"`) || !strings.Contains(body, `"invocation_id":"`) {
				t.Errorf("caller gets %d %s, want %d with kind %s and the invocation id", resp.StatusCode, body, tt.status, tt.kind)
			}
			if strings.Contains(body, testproc.Secret) {
				t.Errorf("the caller sees the error text: %s", body)
			}
		})
	}
	if n := strings.Count(ts.stderr.String(), testproc.Secret); n < len(tests) {
		t.Errorf("the error text is logged %d times, want at least %d:\n%s", n, len(tests), ts.stderr.String())
	}
}

// TestDrainDeadline: an invocation still running at the drain deadline has
// its context cancelled and fails, so that the host delivers it again; the
// failure and the cancellation are logged.
func TestDrainDeadline(t *testing.T) {
	started := make(chan struct{}, 1)
	app := core.NewApp()
	core.Must(app.Event("block", func(ctx context.Context, e core.Event) (*core.Event, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, fmt.Errorf("%s: %w", testproc.Secret, context.Cause(ctx))
	}, core.OnQueue("orders")))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- azure.Serve(ctx, ln, app, azure.WithOutput(stdout, stderr), azure.WithShutdownTimeout(500*time.Millisecond))
	}()
	host := azuretest.New("http://" + ln.Addr().String())
	if err := host.WaitReady(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	got := make(chan *azuretest.Result, 1)
	go func() {
		res, err := host.Invoke(context.Background(), "block", queueMsg(`{}`))
		if err != nil {
			t.Error(err)
		}
		got <- res
	}()
	select {
	case <-started:
	case res := <-got:
		t.Fatalf("the function did not run: the host got %+v", res)
	}
	cancel() // as SIGTERM does
	if res := <-got; res == nil || !res.Failed || res.Status != http.StatusInternalServerError || strings.Contains(string(res.Body), testproc.Secret) {
		t.Errorf("the host got %+v, want a failed invocation (500) without the error text", res)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	logs := stdout.String() + stderr.String()
	for _, want := range []string{`"drain deadline reached: cancelling the requests still running"`, `"function failed"`, "the drain deadline has passed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}
