// Command aws is a polyfn app to deploy on AWS Lambda with the SAM template
// next to it: an HTTP API function ("api", behind an API Gateway HTTP API)
// and a queue worker ("worker", fed by SQS with partial batch failures).
// Both Lambda functions run this one binary; POLYFN_FUNCTION tells each
// which function it is. See README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/aws"
)

func main() {
	adapters.Run(newApp())
}

// Order is what the API accepts and the worker processes.
type Order struct {
	ID    string  `json:"id"`
	Total float64 `json:"total"`
}

func newApp() *core.App {
	app := core.NewApp()
	httpAPI := func(route string) core.Trigger {
		return core.OnHTTP(route).With("aws", aws.SettingIntegration, "http")
	}
	core.Must(app.HTTP("api", api(), httpAPI("/orders"), httpAPI("/orders/{id}")))
	core.Must(app.Event("worker", work, core.OnQueue("orders").WithBatchSize(10)))
	return app
}

// api answers POST /orders with the order it read, and GET /orders/{id}.
func api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var o Order
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil || o.ID == "" {
			http.Error(w, `{"error":"want {\"id\":\"...\",\"total\":...}"}`, http.StatusBadRequest)
			return
		}
		// The API Gateway request context (authorizer claims, stage, ...) is here:
		if req, ok := aws.APIGatewayV2RequestFromContext(r.Context()); ok {
			slog.InfoContext(r.Context(), "order received", "id", o.ID, "requestId", req.RequestContext.RequestID)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(o)
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(Order{ID: r.PathValue("id")})
	})
	return mux
}

// work processes one SQS message. A returned error reports just this
// message in batchItemFailures; SQS redelivers it and, after the redrive
// policy's maxReceiveCount, moves it to the dead-letter queue.
func work(ctx context.Context, e core.Event) (*core.Event, error) {
	o, err := core.Decode[Order](e)
	if err != nil {
		return nil, err // permanent: the same body will never decode
	}
	if o.Total < 0 {
		return nil, core.Permanent(errors.New("negative total"))
	}
	if m, ok := aws.SQSMessageFromContext(ctx); ok {
		slog.InfoContext(ctx, "processing order", "id", o.ID, "receiveCount", m.Attributes["ApproximateReceiveCount"])
	}
	fmt.Printf("order %s: %.2f\n", o.ID, o.Total)
	return nil, nil
}
