// Command local-bare is the local adapter's peer in the load benchmark: a bare
// net/http handler doing what polyfn's local adapter does for a binary-mode
// CloudEvent carrying a JSON order (the handler of adapters/local's
// BenchmarkEvent), served on 127.0.0.1:$PORT.
package main

import (
	"net/http"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() { work.Serve("PORT", http.HandlerFunc(work.BareCloudEvent)) }
