package work

import (
	"encoding/json"
	"io"
	"net/http"
)

// The bare peers: hand-written net/http handlers doing, without a
// framework, what a polyfn adapter does for the same request. The load
// benchmark's bare programs serve them, and the adapters' in-process
// benchmarks compare against them.

// BareCloudEvent is the local adapter's peer: it reads the body under the
// size limit, checks the required ce- headers of a binary-mode CloudEvent,
// decodes the JSON order and answers a reply event in binary mode.
func BareCloudEvent(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, src, typ := r.Header.Get("Ce-Id"), r.Header.Get("Ce-Source"), r.Header.Get("Ce-Type")
	if r.Header.Get("Ce-Specversion") != "1.0" || id == "" || src == "" || typ == "" {
		http.Error(w, "not a CloudEvent", http.StatusBadRequest)
		return
	}
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Ce-Specversion", "1.0")
	h.Set("Ce-Id", id+".reply")
	h.Set("Ce-Source", "https://example.com/orders")
	h.Set("Ce-Type", "com.example.order.accepted")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(Reply)
}

// structuredEvent is the part of a structured-mode CloudEvent the bare
// structured peer reads and writes.
type structuredEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	DataContentType string          `json:"datacontenttype,omitempty"`
	Data            json.RawMessage `json:"data,omitempty"`
}

// BareStructuredCloudEvent is the local adapter's peer for structured mode:
// it reads the body under the size limit, decodes the event envelope with
// encoding/json, checks the required attributes, decodes the JSON order
// from its data and answers a reply event in structured mode.
func BareStructuredCloudEvent(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var e structuredEvent
	if err := json.Unmarshal(body, &e); err != nil || e.SpecVersion != "1.0" || e.ID == "" || e.Source == "" || e.Type == "" {
		http.Error(w, "not a CloudEvent", http.StatusBadRequest)
		return
	}
	var o Order
	if err := json.Unmarshal(e.Data, &o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, err := json.Marshal(structuredEvent{SpecVersion: "1.0", ID: e.ID + ".reply", Source: "https://example.com/orders",
		Type: "com.example.order.accepted", DataContentType: "application/json", Data: Reply})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/cloudevents+json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// BareAzureQueue is the Azure adapter's peer: a custom handler that decodes
// the host's invocation request (the envelope, then the double-encoded
// Queue Storage message in Data.inMsg) and answers an empty success.
func BareAzureQueue(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var env struct {
		Data     map[string]json.RawMessage
		Metadata map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var outer, msg string
	if err := json.Unmarshal(env.Data["inMsg"], &outer); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := json.Unmarshal([]byte(outer), &msg); err != nil {
		msg = outer
	}
	_ = msg
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"Outputs":{},"Logs":[],"ReturnValue":null}`)
}

// pubsubEnvelope is a Pub/Sub messagePublished event's data.
type pubsubEnvelope struct {
	Message struct {
		Data        []byte            `json:"data"`
		Attributes  map[string]string `json:"attributes"`
		MessageID   string            `json:"messageId"`
		PublishTime string            `json:"publishTime"`
		OrderingKey string            `json:"orderingKey"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// BarePubSub is the Google adapter's peer: it checks the required ce-
// headers of a binary-mode Eventarc Pub/Sub CloudEvent, decodes the
// messagePublished envelope, then the JSON order in the message's (base64)
// data, and answers 204.
func BarePubSub(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Header.Get("Ce-Specversion") != "1.0" || r.Header.Get("Ce-Id") == "" ||
		r.Header.Get("Ce-Source") == "" || r.Header.Get("Ce-Type") == "" {
		http.Error(w, "not a CloudEvent", http.StatusBadRequest)
		return
	}
	var env pubsubEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var o Order
	if err := json.Unmarshal(env.Message.Data, &o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
