package otelfn_test

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
)

// The AWS contract: an SQS record with an AWSTraceHeader makes the exported
// spans include that trace id before the invocation answers.
func TestAWSRecordTraceFlushedBeforeAnswer(t *testing.T) {
	rcv := startReceiver(t)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "600000") // only the per-invocation flush exports
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "fulfil")
	app := startApp(t, func(context.Context, core.Event) (*core.Event, error) { return nil, nil }, core.OnQueue("jobs"))
	defer app.Stop(context.Background()) //nolint:errcheck // the test's checks are done by then
	h, err := aws.NewHandler(app)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1") //nolint:staticcheck // the key aws-lambda-go uses
	payload := `{"Records":[{"messageId":"m-1","receiptHandle":"r","body":"a","attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1700000000000",` +
		`"AWSTraceHeader":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},"messageAttributes":{},"md5OfBody":"",` +
		`"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:jobs","awsRegion":"us-east-1"}]}`
	if _, err := h.Invoke(ctx, []byte(payload)); err != nil {
		t.Fatal(err)
	}
	spans, _ := rcv.snapshot()
	traces := map[string]string{}
	for _, s := range spans {
		traces[s.Name] = hex.EncodeToString(s.TraceId)
	}
	if traces["fulfil"] != "0af7651916cd43dd8448eb211c80319c" || traces["process com.amazonaws.sqs.message"] != "5759e988bd862e3fe1be46a994272793" {
		t.Errorf("spans exported before the answer: %v; want the invocation in Lambda's trace and the record in its sender's", traces)
	}
}
