package azqueue_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"gocloud.dev/gcerrors"
	"gocloud.dev/pubsub"

	_ "github.com/polyfn/polyfn/core/resource/internal/azqueue"
	"github.com/polyfn/polyfn/internal/azurite"
)

// TestSendAzurite sends through azqueue:// URLs to Azurite's Queue
// service and reads the messages back with the SDK.
func TestSendAzurite(t *testing.T) {
	cs := azurite.StartQueue(t)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", cs)
	ctx := context.Background()
	q, err := azqueue.NewQueueClientFromConnectionString(cs, "orders", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	topic, err := pubsub.OpenTopic(ctx, "azqueue://orders")
	if err != nil {
		t.Fatal(err)
	}
	defer topic.Shutdown(ctx)
	bodies := []string{`{"id":"o1"}`, "plain text", ""}
	for _, b := range bodies {
		if err := topic.Send(ctx, &pubsub.Message{Body: []byte(b), Metadata: map[string]string{"ignored": "x"}}); err != nil {
			t.Fatalf("send %q: %v", b, err)
		}
	}
	n := int32(10)
	got, err := q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: &n})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != len(bodies) {
		t.Fatalf("%d messages, want %d", len(got.Messages), len(bodies))
	}
	for i, m := range got.Messages {
		text, err := base64.StdEncoding.DecodeString(*m.MessageText)
		if err != nil || string(text) != bodies[i] {
			t.Errorf("message %d: %q (%v), want %q base64-encoded", i, *m.MessageText, err, bodies[i])
		}
	}

	// Too large for Queue Storage: refused before it is sent.
	err = topic.Send(ctx, &pubsub.Message{Body: []byte(strings.Repeat("x", 50<<10))})
	if err == nil || !strings.Contains(err.Error(), "over Queue Storage's 65536") {
		t.Errorf("a 50 KiB message: %v, want the size error", err)
	}

	// A queue that does not exist.
	missing, err := pubsub.OpenTopic(ctx, "azqueue://no-such-queue")
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Shutdown(ctx)
	if err := missing.Send(ctx, &pubsub.Message{Body: []byte("x")}); gcerrors.Code(err) != gcerrors.NotFound {
		t.Errorf("send to a missing queue: code %v (%v), want NotFound", gcerrors.Code(err), err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_ACCOUNT", "")
	ctx := context.Background()
	for url, want := range map[string]string{
		"azqueue://orders":        "neither AZURE_STORAGE_CONNECTION_STRING nor AZURE_STORAGE_ACCOUNT is set",
		"azqueue://orders/sub":    "want azqueue://QUEUE",
		"azqueue://orders?x=1":    "want azqueue://QUEUE",
		"azqueue:///missing-host": "want azqueue://QUEUE",
	} {
		_, err := pubsub.OpenTopic(ctx, url)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenTopic(%s) = %v, want an error containing %q", url, err, want)
		}
	}
}
