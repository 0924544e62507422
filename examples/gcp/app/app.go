// Package app is the example's portable part: its functions and their
// triggers, with no deployment code. Package function (the directory above)
// registers it for a Cloud Functions source deploy, and cmd/fn runs it as a
// container or locally.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/core"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// logger writes Cloud Logging JSON lines.
var logger = gcp.NewLogger(os.Stdout, os.Getenv("POLYFN_LOG_LEVEL"))

// New returns the app: three functions and their triggers, which the
// deploy commands in README.md mirror.
func New() *core.App {
	app := core.NewApp()
	core.Must(app.Event("orders", orders, core.OnTopic("orders")))
	core.Must(app.Event("uploads", uploads, core.OnStorage("polyfn-uploads", core.KindStorageObjectCreated)))
	core.Must(app.HTTP("api", api(), core.OnHTTP("/")))
	return app
}

// Order is what the orders topic carries.
type Order struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// orders handles a Pub/Sub message: the message data arrives base64-decoded.
func orders(ctx context.Context, e core.Event) (*core.Event, error) {
	msg, err := gcpprov.PubSubMessageOf(e)
	if err != nil {
		return nil, err // permanent: answered 422
	}
	var o Order
	if err := json.Unmarshal(msg.Data, &o); err != nil || o.ID == "" {
		return nil, core.Permanentf("orders: message %s is not an order: %q", msg.MessageID, msg.Data)
	}
	logger.InfoContext(ctx, "order received", "order", o.ID, "items", o.Items,
		"message", msg.MessageID, "orderingKey", msg.OrderingKey, "kind", string(core.EventKindOf(e)))
	return nil, nil
}

// uploads handles a new Cloud Storage object.
func uploads(ctx context.Context, e core.Event) (*core.Event, error) {
	obj, err := gcpprov.StorageObjectOf(e)
	if err != nil {
		return nil, err
	}
	ref, _ := core.ExtensionString(e, gcpprov.DataRefExtension)
	logger.InfoContext(ctx, "object stored", "bucket", obj.Bucket, "name", obj.Name, "size", int64(obj.Size),
		"contentType", obj.ContentType, "dataref", ref, "kind", string(core.EventKindOf(e)))
	return nil, nil
}

// api is an ordinary net/http mux. Deployed as the function's target it
// receives every path of the function's URL.
func api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"hello": r.PathValue("name"), "function": core.InvocationFrom(r.Context()).Function, "provider": core.InvocationFrom(r.Context()).Provider,
		})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, fmt.Sprintf("no route for %s %s; try GET /hello/you", r.Method, r.URL.Path), http.StatusNotFound)
	})
	return mux
}
