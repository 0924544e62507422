// Command azure-bare is the Azure adapter's peer in the load benchmark: a
// hand-written custom handler (the baseline of adapters/azure's
// BenchmarkInvoke) that decodes the host's invocation request with
// encoding/json, then the double-encoded queue message, and answers an empty
// success, on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT.
package main

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() { work.Serve("FUNCTIONS_CUSTOMHANDLER_PORT", http.HandlerFunc(handle)) }

func handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, work.MaxBodyBytes))
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
