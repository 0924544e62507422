package aws_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/providers/aws"
)

func ExampleDecode() {
	payload := []byte(`{"Records":[{"messageId":"m-1","body":"{\"id\":42}","eventSource":"aws:sqs",
		"eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders","attributes":{"SentTimestamp":"1700000000000"}}]}`)
	b, err := aws.Decode(aws.SourceSQS, payload)
	if err != nil {
		panic(err)
	}
	res := driver.RunBatch(context.Background(), func(ctx context.Context, e core.Event) (*core.Event, error) {
		fmt.Println(e.Type(), e.Source(), e.ID(), core.EventKindOf(e), string(e.Data()))
		if m, ok := aws.SQSMessageFromContext(ctx); ok {
			fmt.Println("native message:", m.Attributes["SentTimestamp"])
		}
		return nil, nil
	}, b.Events, b.Options(1))
	out, _ := b.Response(res)
	fmt.Println(string(out))
	// Output:
	// com.amazonaws.sqs.message arn:aws:sqs:us-east-1:123456789012:orders m-1 queue.message {"id":42}
	// native message: 1700000000000
	// {"batchItemFailures":[]}
}

func ExampleHTTPRequest_Response() {
	payload := []byte(`{"version":"2.0","rawPath":"/hello","rawQueryString":"name=polyfn","cookies":["a=1"],
		"headers":{"host":"abc.lambda-url.us-east-1.on.aws"},"requestContext":{"http":{"method":"GET"},"requestId":"r-1"}}`)
	hr, err := aws.DecodeHTTP(aws.SourceFunctionURL, payload)
	if err != nil {
		panic(err)
	}
	req, err := hr.Request(context.Background(), aws.HTTPOptions{})
	if err != nil {
		panic(err)
	}
	w := aws.NewResponseWriter()
	http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("a")
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: c.Value})
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "hello "+r.URL.Query().Get("name"))
	}).ServeHTTP(w, req)
	fmt.Println(string(hr.Response(w)))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"text/plain"},"cookies":["seen=1"],"body":"hello polyfn","isBase64Encoded":false}
}
