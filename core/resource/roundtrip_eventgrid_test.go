package resource

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azeventgrid"

	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	egdriver "github.com/polyfn/polyfn/core/resource/internal/eventgrid"
	azurep "github.com/polyfn/polyfn/providers/azure"
)

// TestRoundTripEventGrid publishes every wire case through the
// eventgrid:// driver (the official SDK) to a TLS server that checks the
// request as Event Grid's topic endpoint would (the access key, the
// CloudEvents batch content type, one JSON array), then hands each event it
// got to providers/azure as the Functions host's eventGridTrigger
// invocation does. Event Grid has no local server: this checks our side of
// the wire, not the service.
func TestRoundTripEventGrid(t *testing.T) {
	var (
		mu  sync.Mutex
		got []json.RawMessage
	)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var batch []json.RawMessage
		switch {
		case r.URL.Path != "/api/events" || r.Method != "POST":
			http.Error(w, "not the topic endpoint", http.StatusNotFound)
		case r.Header.Get("aeg-sas-key") != "k-123":
			http.Error(w, "bad key", http.StatusUnauthorized)
		case r.Header.Get("Content-Type") != "application/cloudevents-batch+json; charset=utf-8":
			http.Error(w, "content type "+r.Header.Get("Content-Type"), http.StatusBadRequest)
		case json.Unmarshal(body, &batch) != nil:
			http.Error(w, "not a JSON array", http.StatusBadRequest)
		default:
			mu.Lock()
			got = append(got, batch...)
			mu.Unlock()
		}
	}))
	defer srv.Close()
	c, err := azeventgrid.NewClientWithSharedKeyCredential(srv.URL+"/api/events", azcore.NewKeyCredential("k-123"),
		&azeventgrid.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: srv.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	topic := egdriver.OpenTopic(c)
	defer topic.Shutdown(ctx)

	app := core.NewApp()
	core.Must(app.Event("notify", func(context.Context, core.Event) (*core.Event, error) { return nil, nil },
		core.OnTopic("order-placed").With("azure", "service", "eventgrid")))
	fn, _ := app.Function("notify")
	src, err := azurep.SourceOf(fn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range wireCases() {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			m, err := structured.encode(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if err := topic.Send(ctx, m.pubsub(structured)); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("the topic got %d events, want 1", len(got))
			}
			var members map[string]json.RawMessage
			if err := json.Unmarshal(got[0], &members); err != nil {
				t.Fatal(err)
			}
			if _, b64 := members["data_base64"]; b64 && tc.event.DataContentType() == "application/json" {
				t.Errorf("JSON data went as data_base64: %s", got[0])
			}
			body, _ := json.Marshal(azuretest.EventGrid("event", got[0]))
			pr, err := azurep.ParseRequest(body)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := azurep.Decode(pr, src)
			if err != nil {
				t.Fatalf("%v\n%s", err, got[0])
			}
			same(t, "Event Grid", inv.Events[0], tc.event)
		})
	}
}
