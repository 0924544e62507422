// Command gcp-bare is the Google adapter's peer in the load benchmark: a bare
// net/http handler that checks the required ce- headers of a binary-mode
// Eventarc Pub/Sub CloudEvent, decodes the messagePublished envelope with
// encoding/json, then the JSON order in the message's (base64) data, and
// answers 204, on 127.0.0.1:$PORT.
package main

import (
	"net/http"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() { work.Serve("PORT", http.HandlerFunc(work.BarePubSub)) }
