package aws_test

import (
	"context"
	"errors"
	"fmt"
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

type typedErr struct{}

func (typedErr) Error() string     { return "order rejected" }
func (typedErr) ErrorType() string { return "Order.Rejected" }

func TestHTTPEventFunction(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		if e.Type() == "fail" {
			return nil, errors.New("no")
		}
		return nil, nil
	}))
	h, _ := aws.NewHandler(app)
	out, err := invoke(t, h, fixture(t, "polyfn-apigw-v2-cloudevent-request.json"))
	if err != nil || !strings.Contains(string(out), `"statusCode":204`) {
		t.Errorf("no reply: %s %v", out, err)
	}
	bad := strings.Replace(string(fixture(t, "polyfn-apigw-v2-cloudevent-request.json")), `"ce-id": "http-ce-1", `, "", 1)
	out, err = invoke(t, h, []byte(bad))
	if err != nil || !strings.Contains(string(out), `"statusCode":400`) || !strings.Contains(string(out), "ce-id") {
		t.Errorf("invalid CloudEvent: %s %v", out, err)
	}
	failing := strings.Replace(string(fixture(t, "polyfn-apigw-v2-cloudevent-request.json")), `"ce-type": "com.example.http"`, `"ce-type": "fail"`, 1)
	out, err = invoke(t, h, []byte(failing))
	if err != nil || !strings.Contains(string(out), `"statusCode":500`) {
		t.Errorf("failure: %s %v", out, err)
	}
	// A plain request becomes a com.amazonaws.apigateway.request event.
	out, err = invoke(t, h, fixture(t, "aws-lambda-go-apigw-request.json"))
	if err != nil || !strings.Contains(string(out), `"statusCode":204`) {
		t.Errorf("plain request: %s %v", out, err)
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
		m := provider.SQSMessageFromContext(ctx)
		if m == nil || m.MessageId != e.ID() {
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
