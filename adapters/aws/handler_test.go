package aws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	provider "github.com/polyfn/polyfn/providers/aws"
)

// lambdaCtx returns a context like the one aws-lambda-go passes a handler.
func lambdaCtx(id string, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id})
	return context.WithValue(ctx, "x-amzn-trace-id", "Root=1-"+id), cancel //nolint:staticcheck // the key aws-lambda-go uses
}

func invoke(t *testing.T, h *aws.Handler, payload []byte) ([]byte, error) {
	t.Helper()
	ctx, cancel := lambdaCtx("req-1", 5*time.Second)
	defer cancel()
	return h.Invoke(ctx, payload)
}

func errorTypeOf(err error) string {
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		return ie.Type
	}
	return fmt.Sprintf("not an InvokeResponse_Error: %T", err)
}

func nop(context.Context, core.Event) (*core.Event, error) { return nil, nil }

func TestSelection(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("a", nop))
	core.Must(app.Event("b", nop))
	if _, err := aws.NewHandler(app); err == nil || !strings.Contains(err.Error(), "POLYFN_FUNCTION") {
		t.Errorf("several functions without a selection: %v", err)
	}
	if _, err := aws.NewHandler(app, aws.WithFunction("c")); err == nil {
		t.Error("unknown function accepted")
	}
	h, err := aws.NewHandler(app, aws.WithFunction("b"))
	if err != nil || h.Function().Name != "b" {
		t.Errorf("%v %v", h, err)
	}
	one := core.NewApp()
	core.Must(one.Event("only", nop))
	if h, err := aws.NewHandler(one); err != nil || h.Function().Name != "only" {
		t.Errorf("single function: %v", err)
	}
	if _, err := aws.NewHandler(core.NewApp()); err == nil {
		t.Error("empty app accepted")
	}
	bad := core.NewApp()
	core.Must(bad.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/").With("aws", provider.SettingIntegration, "grpc")))
	if _, err := aws.NewHandler(bad); err == nil || !strings.Contains(err.Error(), `aws/integration="grpc"`) {
		t.Errorf("an unknown integration: %v", err)
	}
}

func TestInvocationMetadata(t *testing.T) {
	var mu sync.Mutex
	var got []core.Invocation
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		mu.Lock()
		got = append(got, core.InvocationFrom(ctx))
		mu.Unlock()
		return nil, nil
	}))
	h, err := aws.NewHandler(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"aws-lambda-go-sqs-event.json", "polyfn-eventbridge-scheduled-event.json", "polyfn-cloudevent-direct.json", "aws-lambda-go-s3-event.json"} {
		if _, err := invoke(t, h, fixture(t, f)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	want := []core.TriggerKind{core.TriggerQueue, core.TriggerSchedule, core.TriggerDirect, core.TriggerStorage}
	for i, inv := range got {
		if inv.Trigger != want[i] || inv.ID != "req-1" || inv.Provider != "aws" || inv.Function != "f" || inv.Deadline.IsZero() || inv.ColdStart != (i == 0) {
			t.Errorf("invocation %d: %+v; want trigger %s", i, inv, want[i])
		}
	}
}

func TestDeclaredSourceIsNotSniffed(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("q", nop, core.OnQueue("jobs")))
	core.Must(app.Event("multi", nop, core.OnQueue("jobs"), core.OnSchedule("@hourly", "")))
	h, _ := aws.NewHandler(app, aws.WithFunction("q"))
	_, err := invoke(t, h, fixture(t, "aws-lambda-go-s3-event.json"))
	if errorTypeOf(err) != provider.ErrorTypeUnsupportedPayload {
		t.Errorf("S3 payload to a queue function: %v", err)
	}
	if _, err := invoke(t, h, fixture(t, "polyfn-cloudevent-direct.json")); err != nil {
		t.Errorf("a direct CloudEvent must reach a declared function: %v", err)
	}
	h, _ = aws.NewHandler(app, aws.WithFunction("multi"))
	if _, err := invoke(t, h, fixture(t, "polyfn-eventbridge-scheduled-event.json")); err != nil {
		t.Error(err)
	}
	_, err = invoke(t, h, fixture(t, "aws-lambda-go-s3-event.json"))
	if errorTypeOf(err) != provider.ErrorTypeUnsupportedPayload || !strings.Contains(err.Error(), "declares") {
		t.Errorf("S3 payload to a queue+schedule function: %v", err)
	}
}

func TestErrorTypes(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		switch e.ID() {
		case "perm":
			return nil, core.Permanentf("bad order")
		case "panic":
			panic("kaboom")
		case "typed":
			return nil, typedErr{}
		case "deadline":
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, errors.New("plain")
	}))
	h, _ := aws.NewHandler(app, aws.WithDeadlineReserve(4900*time.Millisecond))
	for id, want := range map[string]string{"perm": "Polyfn.PermanentError", "panic": "Polyfn.Panic", "typed": "Order.Rejected", "plain": "Polyfn.HandlerError", "deadline": "Polyfn.Timeout"} {
		_, err := invoke(t, h, []byte(`{"specversion":"1.0","id":"`+id+`","source":"/t","type":"t"}`))
		if got := errorTypeOf(err); got != want {
			t.Errorf("%s: errorType %s; want %s (%v)", id, got, want, err)
		}
		if id == "deadline" && !strings.Contains(err.Error(), "before Lambda's deadline") {
			t.Errorf("a deadline error must say when the context expired: %v", err)
		}
	}
}

// TestDeadlineMessages: a deadline error says which deadline passed.
func TestDeadlineMessages(t *testing.T) {
	wait := func(ctx context.Context, e core.Event) (*core.Event, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	tests := []struct {
		name   string
		fnOpts []core.FunctionOption
		opts   []aws.Option
		lambda time.Duration
		want   string
	}{
		{"the reserve before Lambda's deadline", nil, []aws.Option{aws.WithDeadlineReserve(200 * time.Millisecond)}, 300 * time.Millisecond, "200ms before Lambda's deadline"},
		{"the function's timeout", []core.FunctionOption{core.WithTimeout(50 * time.Millisecond)}, nil, 5 * time.Second, "the function's timeout of 50ms expired at"},
		{"Lambda's own deadline", nil, []aws.Option{aws.WithDeadlineReserve(0)}, 100 * time.Millisecond, "Lambda's deadline passed at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			core.Must(app.Event("f", wait, tt.fnOpts...))
			h, err := aws.NewHandler(app, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := lambdaCtx("req-dl", tt.lambda)
			defer cancel()
			_, err = h.Invoke(ctx, []byte(`{"specversion":"1.0","id":"x","source":"/t","type":"t"}`))
			if errorTypeOf(err) != provider.ErrorTypeTimeout || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want a Polyfn.Timeout saying %q", err, tt.want)
			}
		})
	}
}

// TestLogs: the failure lines are the runtime's, with its keys; a payload
// the function never saw is logged with the Lambda request id.
func TestLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		return nil, errors.New("no stock")
	}, core.OnQueue("jobs")))
	h, err := aws.NewHandler(app, aws.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := invoke(t, h, fixture(t, "aws-lambda-go-sqs-event.json")); err != nil || !strings.Contains(string(out), "itemIdentifier") {
		t.Fatalf("%s %v", out, err)
	}
	if _, err := invoke(t, h, []byte(`{"Records":[`)); errorTypeOf(err) != provider.ErrorTypeInvalidPayload {
		t.Fatalf("truncated payload: %v", err)
	}
	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %s: %v", l, err)
		}
		lines = append(lines, m)
	}
	want := []map[string]any{
		{"level": "ERROR", "msg": "function failed", "function": "f", "invocation_id": "req-1", "event_id": "MessageID_1",
			"event_type": "com.amazonaws.sqs.message", "index": 0.0, "outcome": "retryable", "error": "no stock"},
		{"level": "WARN", "msg": "request rejected", "function": "f", "invocation_id": "req-1", "error_type": "Polyfn.InvalidPayload"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		for k, v := range w {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v; want %v\n%s", i, k, lines[i][k], v, buf.String())
			}
		}
	}
}

// TestTraceContext: the invocation carries the W3C trace context of the
// X-Ray trace header Lambda sends, or of an HTTP request's traceparent.
func TestTraceContext(t *testing.T) {
	var got []core.Invocation
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		got = append(got, core.InvocationFrom(ctx))
		return nil, nil
	}))
	h, err := aws.NewHandler(app)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := lambdaCtx("req-1", 5*time.Second)
	defer cancel()
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1") //nolint:staticcheck // the key aws-lambda-go uses
	if _, err := h.Invoke(ctx, fixture(t, "polyfn-cloudevent-direct.json")); err != nil {
		t.Fatal(err)
	}
	withHeader := strings.Replace(string(fixture(t, "polyfn-apigw-v2-cloudevent-request.json")), `"ce-specversion"`,
		`"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "congo=t61rcWkgMzE", "ce-specversion"`, 1)
	if _, err := h.Invoke(ctx, []byte(withHeader)); err != nil {
		t.Fatal(err)
	}
	want := []struct{ parent, state string }{
		{"00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01", ""},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "congo=t61rcWkgMzE"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d invocations, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].TraceParent != w.parent || got[i].TraceState != w.state {
			t.Errorf("invocation %d: trace context %q %q; want %q %q", i, got[i].TraceParent, got[i].TraceState, w.parent, w.state)
		}
	}
}

type typedErr struct{}

func (typedErr) Error() string     { return "order rejected" }
func (typedErr) ErrorType() string { return "Order.Rejected" }

// httpResult is an HTTP API response object with its body decoded as the
// JSON error shape, when it is one.
type httpResult struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	Error      struct {
		Error        string `json:"error"`
		Kind         string `json:"kind"`
		InvocationID string `json:"invocation_id"`
	} `json:"-"`
}

func httpResultOf(t *testing.T, out []byte) httpResult {
	t.Helper()
	var r httpResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("result %s: %v", out, err)
	}
	_ = json.Unmarshal([]byte(r.Body), &r.Error)
	return r
}

// TestHTTPEventFunction: an event function behind API Gateway answers as
// every adapter does over HTTP (internal/invoke's ServeEvents).
func TestHTTPEventFunction(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		switch e.Type() {
		case "fail":
			return nil, errors.New("secret database password in the error")
		case "fail-for-good":
			return nil, core.Permanentf("bad order")
		case "reply":
			r := core.NewEvent("re-1", "/t", "com.example.reply", "text/plain", []byte("hi"))
			return &r, nil
		}
		return nil, nil
	}))
	ce := string(fixture(t, "polyfn-apigw-v2-cloudevent-request.json"))
	withType := func(typ string) []byte {
		return []byte(strings.Replace(ce, `"ce-type": "com.example.http"`, `"ce-type": "`+typ+`"`, 1))
	}
	tests := []struct {
		name     string
		opts     []aws.Option
		payload  []byte
		status   int
		kind     string // of the JSON error answer
		errorHas string
	}{
		{"no reply", nil, []byte(ce), 204, "", ""},
		{"reply in binary mode", nil, withType("reply"), 200, "", ""},
		{"invalid CloudEvent", nil, []byte(strings.Replace(ce, `"ce-id": "http-ce-1", `, "", 1)), 400, "permanent", "ce-id"},
		{"retryable failure", nil, withType("fail"), 500, "retryable", "the function failed"},
		{"permanent failure", nil, withType("fail-for-good"), 422, "permanent", "the function failed"},
		{"error text when exposed", []aws.Option{aws.WithErrorDetails(true)}, withType("fail"), 500, "retryable", "secret database password"},
		{"a plain request is an event", nil, fixture(t, "aws-lambda-go-apigw-request.json"), 204, "", ""},
		{"body over the limit", []aws.Option{aws.WithMaxBodyBytes(4)}, []byte(ce), 413, "permanent", "exceed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := aws.NewHandler(app, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			out, err := invoke(t, h, tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			r := httpResultOf(t, out)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d; want %d: %s", r.StatusCode, tt.status, out)
			}
			if tt.kind == "" {
				if tt.status == 200 && (r.Headers["Ce-Id"] != "re-1" || r.Body != "hi") {
					t.Errorf("reply: %s", out)
				}
				return
			}
			e := r.Error
			if e.Kind != tt.kind || !strings.Contains(e.Error, tt.errorHas) || e.InvocationID != "req-1" {
				t.Errorf("error answer %+v; want kind %s, an error containing %q and invocation_id req-1", e, tt.kind, tt.errorHas)
			}
			if tt.opts == nil && strings.Contains(r.Body, "password") {
				t.Errorf("the function's error text reached the caller: %s", r.Body)
			}
		})
	}
}

func TestHTTPFunctionPanicIs500(t *testing.T) {
	app := core.NewApp()
	core.Must(app.HTTP("h", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	h, _ := aws.NewHandler(app)
	out, err := invoke(t, h, fixture(t, "aws-lambda-go-apigw-v2-request-iam.json"))
	if err != nil || !strings.Contains(string(out), `"statusCode":500`) {
		t.Errorf("%s %v", out, err)
	}
	_, err = invoke(t, h, fixture(t, "polyfn-cloudevent-direct.json"))
	if errorTypeOf(err) != provider.ErrorTypeUnsupportedPayload {
		t.Errorf("CloudEvent to an HTTP function: %v", err)
	}
}

// TestConcurrentInvokes runs invocations at once, as Lambda Managed
// Instances do with AWS_LAMBDA_MAX_CONCURRENCY > 1; run it with -race.
func TestConcurrentInvokes(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		m, ok := provider.SQSMessageFromContext(ctx)
		if !ok || m.MessageId != e.ID() {
			return nil, errors.New("wrong native record")
		}
		if core.InvocationFrom(ctx).ID != "req-"+e.ID() {
			return nil, fmt.Errorf("invocation id %s for event %s", core.InvocationFrom(ctx).ID, e.ID())
		}
		return nil, nil
	}, core.OnQueue("jobs"), core.WithBatchConcurrency(3)))
	h, _ := aws.NewHandler(app)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				id := fmt.Sprintf("g%d-m%d", g, i)
				payload := `{"Records":[{"messageId":"` + id + `","body":"{}","attributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:1:jobs"}]}`
				ctx, cancel := lambdaCtx("req-"+id, 5*time.Second)
				out, err := h.Invoke(ctx, []byte(payload))
				cancel()
				if err != nil || string(out) != `{"batchItemFailures":[]}` {
					errs <- fmt.Errorf("%s: %s %v", id, out, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
