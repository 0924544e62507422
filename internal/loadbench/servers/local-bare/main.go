// Command local-bare is the local adapter's peer in the load benchmark: a bare
// net/http handler doing what polyfn's local adapter does for a binary-mode
// CloudEvent carrying a JSON order (the handler of adapters/local's
// BenchmarkEvent), served on 127.0.0.1:$PORT.
package main

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() { work.Serve("PORT", http.HandlerFunc(handle)) }

// handle reads the body under the size limit, checks the required ce-
// headers, decodes the order and answers a reply event in binary mode.
func handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, work.MaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, src, typ := r.Header.Get("Ce-Id"), r.Header.Get("Ce-Source"), r.Header.Get("Ce-Type")
	if r.Header.Get("Ce-Specversion") != "1.0" || id == "" || src == "" || typ == "" {
		http.Error(w, "not a CloudEvent", http.StatusBadRequest)
		return
	}
	var o work.Order
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
	_, _ = w.Write(work.Reply)
}
