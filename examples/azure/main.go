// Command azure is a small Azure Functions app written with polyfn: one
// function per common trigger. See README.md in this folder to build it,
// run it with `func start` and deploy it.
//
//   - hello (HTTP, GET /hello?name=...) answers a JSON greeting;
//   - orders (Queue Storage "orders") checks an order and replies with an
//     event that goes to the queue "orders-accepted" (the function's $return
//     output);
//   - cleanup (Timer, every 5 minutes) logs whether it fired late;
//   - telemetry (Event Hubs "telemetry", batches) checks each reading; one
//     bad reading fails the whole batch, as Azure has no partial failure.
//
// Built without tags it runs on the local adapter instead (go run .).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

func main() { adapters.Run(newApp()) }

func newApp() *core.App {
	app := core.NewApp()
	core.Must(app.HTTP("hello", http.HandlerFunc(hello), core.OnHTTP("/hello", "GET").With("azure", "authLevel", "anonymous")))
	core.Must(app.Event("orders", core.Typed(order), core.OnQueue("orders").With("azure", "output", "queue:orders-accepted")))
	core.Must(app.Event("cleanup", cleanup, core.OnSchedule("*/5 * * * *", "")))
	core.Must(app.Event("telemetry", core.Typed(reading), core.OnStream("telemetry").With("azure", "consumerGroup", "$Default"),
		core.WithBatchConcurrency(4), core.WithTimeout(2*time.Minute)))
	return app
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"greeting": "hello, " + name, "provider": core.InvocationFrom(r.Context()).Provider})
}

// Order is the JSON body of a message on the orders queue.
type Order struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

func order(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
	if o.ID == "" || o.Quantity <= 0 {
		// Retrying will not fix it: after maxDequeueCount attempts the host
		// moves the message to orders-poison.
		return nil, core.Permanentf("order %q: quantity %d is not positive", o.ID, o.Quantity)
	}
	slog.InfoContext(ctx, "order accepted", "order", o.ID, "quantity", o.Quantity, "delivery", e.Extensions()["deliverycount"])
	reply := event.New()
	reply.SetID(e.ID() + ".accepted")
	reply.SetSource("polyfn/examples/azure/orders")
	reply.SetType("com.example.order.accepted")
	if err := reply.SetData("application/json", o); err != nil {
		return nil, err
	}
	return &reply, nil
}

func cleanup(ctx context.Context, e core.Event) (*core.Event, error) {
	late, _ := core.ExtensionString(e, "pastdue")
	slog.InfoContext(ctx, "cleanup fired", "at", e.Time(), "pastdue", late, "kind", core.EventKindOf(e))
	return nil, nil
}

// Reading is one telemetry event.
type Reading struct {
	Device      string   `json:"deviceId"`
	Temperature *float64 `json:"temperature"`
}

func reading(ctx context.Context, e core.Event, r Reading) (*core.Event, error) {
	if r.Temperature == nil {
		return nil, core.Permanent(errors.New("reading without temperature"))
	}
	if *r.Temperature > 100 {
		slog.WarnContext(ctx, "hot device", "device", r.Device, "temperature", *r.Temperature, "partition", fmt.Sprint(e.Extensions()["partition"]))
	}
	return nil, nil
}
