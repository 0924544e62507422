package resource

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"

	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	azqueuedriver "github.com/polyfn/polyfn/core/resource/internal/azqueue"
	"github.com/polyfn/polyfn/internal/azurite"
	azurep "github.com/polyfn/polyfn/providers/azure"
)

// TestRoundTripQueueStorage publishes every wire case through the
// azqueue:// driver to Azurite's Queue service, reads each message back,
// hands it to providers/azure as the Functions host's queueTrigger
// invocation does, and checks the event that comes out: Queue Storage
// carries no attributes, so every event travels in structured mode.
func TestRoundTripQueueStorage(t *testing.T) {
	cs := azurite.StartQueue(t)
	ctx := context.Background()
	q, err := azqueue.NewQueueClientFromConnectionString(cs, "orders", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	topic := azqueuedriver.OpenTopic(q)
	defer topic.Shutdown(ctx)

	app := core.NewApp()
	core.Must(app.Event("fulfil", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }, core.OnQueue("orders")))
	fn, _ := app.Function("fulfil")
	src, err := azurep.SourceOf(fn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range wireCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := structured.encode(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if !m.structured {
				t.Fatal("binary mode on Queue Storage, which has no attributes")
			}
			if err := topic.Send(ctx, m.pubsub(structured)); err != nil {
				t.Fatal(err)
			}
			got, err := q.DequeueMessage(ctx, nil)
			if err != nil || len(got.Messages) != 1 {
				t.Fatalf("dequeue: %v, %d messages", err, len(got.Messages))
			}
			text, err := base64.StdEncoding.DecodeString(*got.Messages[0].MessageText)
			if err != nil {
				t.Fatal(err)
			}
			req := azuretest.Queue("order", azuretest.QueueMessage{ID: *got.Messages[0].MessageID, DequeueCount: 1, Body: text})
			body, _ := json.Marshal(req)
			pr, err := azurep.ParseRequest(body)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := azurep.Decode(pr, src)
			if err != nil {
				t.Fatal(err)
			}
			same(t, "Queue Storage", inv.Events[0], tc.event)
		})
	}
}
