package aws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/core"
)

// lineItem is what the example's queue carries.
type lineItem struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// A unit test of a Lambda function: NewHandler serves the function in
// process, and Invoke takes the payload the event source sends, as
// Lambda's runtime loop does, and returns the invocation result. Here an
// SQS batch in which one message fails alone: the result names it in
// batchItemFailures, so that SQS delivers only that one again. In a test,
// compare out with what you expect and t.Fatal on a difference.
func ExampleNewHandler() {
	app := core.NewApp()
	core.Must(app.Event("orders", core.Typed(func(ctx context.Context, e core.Event, o lineItem) (*core.Event, error) {
		if o.Qty <= 0 {
			return nil, core.Permanentf("order %s: no quantity", o.ID)
		}
		return nil, nil
	}), core.OnQueue("orders")))

	h, err := aws.NewHandler(app, aws.WithFunction("orders"), aws.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		panic(err)
	}
	payload := awstest.SQS("orders",
		awstest.SQSMessage{ID: "m-1", Body: []byte(`{"id":"o1","qty":2}`)},
		awstest.SQSMessage{ID: "m-2", Body: []byte(`{"id":"o2","qty":0}`)})
	out, err := h.Invoke(context.Background(), payload)
	fmt.Println(string(out), err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"m-2"}]} <nil>
}

// An HTTP function in a unit test: the payload is the HTTP API event for
// a request (awstest.APIGatewayV2 builds it), and the result is the
// response API Gateway turns into the client's answer.
func ExampleNewHandler_http() {
	app := core.NewApp()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "order %s", r.PathValue("id"))
	})
	core.Must(app.HTTP("api", mux, core.OnHTTP("/api/")))

	h, err := aws.NewHandler(app)
	if err != nil {
		panic(err)
	}
	payload := awstest.APIGatewayV2("req-1", httptest.NewRequest("GET", "/api/orders/42", strings.NewReader("")))
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		panic(err)
	}
	var res struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		panic(err)
	}
	fmt.Println(res.StatusCode, res.Body)
	// Output:
	// 200 order 42
}
