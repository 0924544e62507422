package gcp_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// Serving an App under the Cloud Functions contract: FUNCTION_TARGET
// (WithTarget) selects the function at "/", and a Pub/Sub push envelope
// arrives as the CloudEvent Eventarc would deliver.
func ExampleHandler() {
	app := core.NewApp()
	core.Must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		msg, err := gcpprov.PubSubMessageOf(e)
		if err != nil {
			return nil, err
		}
		fmt.Printf("%s %s %q\n", core.EventKindOf(e), e.Source(), msg.Data)
		return nil, nil
	}))
	h, err := gcp.Handler(app, gcp.WithTarget("orders"))
	if err != nil {
		panic(err)
	}
	body := `{"message":{"data":"b3JkZXIgNDI=","messageId":"9"},"subscription":"projects/p/subscriptions/orders-push"}`
	req := httptest.NewRequest("POST", "/projects/p/topics/orders", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Code)
	// Output:
	// topic.message //pubsub.googleapis.com/projects/p/topics/orders "order 42"
	// 204
}
