// Command gcp-bare is the Google adapter's peer in the load benchmark: a bare
// net/http handler that checks the required ce- headers of a binary-mode
// Eventarc Pub/Sub CloudEvent, decodes the messagePublished envelope with
// encoding/json, then the JSON order in the message's (base64) data, and
// answers 204, on 127.0.0.1:$PORT.
package main

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() { work.Serve("PORT", http.HandlerFunc(handle)) }

// envelope is a Pub/Sub messagePublished event's data.
type envelope struct {
	Message struct {
		Data        []byte            `json:"data"`
		Attributes  map[string]string `json:"attributes"`
		MessageID   string            `json:"messageId"`
		PublishTime string            `json:"publishTime"`
		OrderingKey string            `json:"orderingKey"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

func handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, work.MaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Header.Get("Ce-Specversion") != "1.0" || r.Header.Get("Ce-Id") == "" ||
		r.Header.Get("Ce-Source") == "" || r.Header.Get("Ce-Type") == "" {
		http.Error(w, "not a CloudEvent", http.StatusBadRequest)
		return
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var o work.Order
	if err := json.Unmarshal(env.Message.Data, &o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
