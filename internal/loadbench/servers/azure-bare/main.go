// Command azure-bare is the Azure adapter's peer in the load benchmark: a
// hand-written custom handler (the baseline of adapters/azure's
// BenchmarkInvoke) that decodes the host's invocation request with
// encoding/json, then the double-encoded queue message, and answers an empty
// success, on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT.
package main

import (
	"net/http"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func main() { work.Serve("FUNCTIONS_CUSTOMHANDLER_PORT", http.HandlerFunc(work.BareAzureQueue)) }
