package gcp_test

import (
	"fmt"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/gcp"
)

// A Pub/Sub message as Eventarc delivers it: a binary-mode CloudEvent whose
// data is MessagePublishedData, with the message data base64-encoded.
func ExampleDecodeRequest() {
	h := http.Header{}
	h.Set("Ce-Specversion", "1.0")
	h.Set("Ce-Id", "1234")
	h.Set("Ce-Type", "google.cloud.pubsub.topic.v1.messagePublished")
	h.Set("Ce-Source", "//pubsub.googleapis.com/projects/p/topics/orders")
	h.Set("Content-Type", "application/json")
	body := []byte(`{"subscription":"projects/p/subscriptions/s","message":{"data":"aGVsbG8=","messageId":"1234","orderingKey":"customer-9"}}`)

	e, err := gcp.DecodeRequest(h, body, "/")
	if err != nil {
		panic(err)
	}
	key, _ := core.ExtensionString(e, "partitionkey")
	fmt.Println(core.EventKindOf(e), key)

	msg, err := gcp.PubSubMessageOf(e)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", msg.Data)
	// Output:
	// topic.message customer-9
	// hello
}

// A legacy background event becomes the CloudEvent functions-framework-go
// makes of it.
func ExampleFromLegacy() {
	e, err := gcp.FromLegacy([]byte(`{
	  "context": {"eventId": "7", "timestamp": "2020-09-29T11:32:00.123Z",
	    "eventType": "google.storage.object.finalize",
	    "resource": {"service": "storage.googleapis.com", "name": "projects/_/buckets/b/objects/a/b.txt"}},
	  "data": {"bucket": "b", "name": "a/b.txt", "size": "12"}}`))
	if err != nil {
		panic(err)
	}
	ref, _ := core.ExtensionString(e, gcp.DataRefExtension)
	fmt.Println(e.Type())
	fmt.Println(e.Source(), e.Subject())
	fmt.Println(core.EventKindOf(e), ref)
	// Output:
	// google.cloud.storage.object.v1.finalized
	// //storage.googleapis.com/projects/_/buckets/b objects/a/b.txt
	// storage.object.created gs://b/a/b.txt
}
