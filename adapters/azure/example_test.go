package azure_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
)

// A unit test of an Azure function: Handler is the custom handler's HTTP
// handler, served in process, and the request is the invocation the
// Functions host posts to /{function} (azuretest builds the host's
// requests). A failed message answers a non-2xx status, 422 for a
// permanent error and 500 otherwise, so that the host fails the invocation
// and, after maxDequeueCount deliveries, moves the message to the poison
// queue. In a test, compare the status with what you expect and t.Fatal on
// a difference.
func ExampleHandler() {
	app := core.NewApp()
	core.Must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		var o struct{ Qty int }
		if err := json.Unmarshal(e.Data(), &o); err != nil || o.Qty <= 0 {
			return nil, core.Permanentf("message %s: no quantity", e.ID())
		}
		return nil, nil
	}, core.OnQueue("orders")))

	h, err := azure.Handler(app, azure.WithOutput(io.Discard, io.Discard))
	if err != nil {
		panic(err)
	}
	for _, body := range []string{`{"qty":2}`, `{"qty":0}`} {
		inv, err := json.Marshal(azuretest.Queue("msg", azuretest.QueueMessage{ID: "m-1", DequeueCount: 1, Body: []byte(body)}))
		if err != nil {
			panic(err)
		}
		req := httptest.NewRequest("POST", "/orders", bytes.NewReader(inv))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		fmt.Println(body, w.Code, w.Code == http.StatusOK)
	}
	// Output:
	// {"qty":2} 200 true
	// {"qty":0} 422 false
}
