package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	awsadapter "github.com/polyfn/polyfn/adapters/aws"
)

// TestLambdaWiring invokes both functions as Lambda would, with the
// payloads their SAM events deliver.
func TestLambdaWiring(t *testing.T) {
	tests := []struct {
		function, payload, want string
	}{
		{"api", `{"version":"2.0","routeKey":"POST /orders","rawPath":"/orders","rawQueryString":"","headers":{"content-type":"application/json"},
			"requestContext":{"http":{"method":"POST","path":"/orders"},"requestId":"r1","domainName":"x.execute-api.us-east-1.amazonaws.com"},
			"body":"{\"id\":\"o-1\",\"total\":12.5}","isBase64Encoded":false}`, `"statusCode":202`},
		{"api", `{"version":"2.0","routeKey":"GET /orders/{id}","rawPath":"/orders/o-9","requestContext":{"http":{"method":"GET","path":"/orders/o-9"},"requestId":"r2"}}`,
			`\"id\":\"o-9\"`},
		{"worker", `{"Records":[{"messageId":"m1","body":"{\"id\":\"o-1\",\"total\":3}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:1:orders"},
			{"messageId":"m2","body":"{\"id\":\"o-2\",\"total\":-1}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:1:orders"},
			{"messageId":"m3","body":"not json","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:1:orders"}]}`,
			`{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}`},
	}
	for _, tt := range tests {
		h, err := awsadapter.NewHandler(newApp(), awsadapter.WithFunction(tt.function))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "test"})
		out, err := h.Invoke(ctx, []byte(tt.payload))
		cancel()
		if err != nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("%s: %s, %v; want %s", tt.function, out, err, tt.want)
		}
	}
}
