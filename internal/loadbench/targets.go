package main

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// An adapter is one polyfn HTTP adapter under load, with its bare peer: both
// programs get the same request and must give the same status.
type adapter struct {
	name    string
	tags    string // build tags of the polyfn program
	portEnv string // the environment variable the programs listen on
	env     []string
	request []byte // one raw HTTP/1.1 request, sent again and again
	status  int    // the answer both programs must give
}

// program returns the import path of the adapter's polyfn or bare program.
func (a adapter) program(variant string) string {
	return "github.com/polyfn/polyfn/internal/loadbench/servers/" + a.name + "-" + variant
}

// orderJSON is the order every function decodes (about 100 bytes).
const orderJSON = `{"order":"A-7","items":[{"sku":"X1","qty":2},{"sku":"Y9","qty":1}],"total":42.5,"currency":"EUR"}`

// azureQueueRequest is a Functions host capture: a Queue Storage invocation.
//
//go:embed testdata/azure-queue-string.json
var azureQueueRequest []byte

// adapters returns the three HTTP adapters and their requests.
func adapters() []adapter {
	pubsub := `{"message":{"attributes":{"attr1":"attr1-value"},"data":"` +
		base64.StdEncoding.EncodeToString([]byte(orderJSON)) +
		`","messageId":"message-id","publishTime":"2021-02-05T04:06:14.109Z","orderingKey":"ordering-key"},` +
		`"subscription":"projects/test-project/subscriptions/my-subscription"}`
	return []adapter{
		{
			name: "local", portEnv: "PORT",
			request: rawRequest("/orders", []string{
				"Ce-Specversion", "1.0",
				"Ce-Id", "A234-1234-1234",
				"Ce-Source", "https://example.com/orders",
				"Ce-Type", "com.example.order.placed",
				"Ce-Time", "2026-11-25T10:11:12Z",
				"Ce-Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
				"Content-Type", "application/json",
			}, orderJSON),
			status: http.StatusOK,
		},
		{
			name: "azure", tags: "polyfn.azure", portEnv: "FUNCTIONS_CUSTOMHANDLER_PORT",
			request: rawRequest("/queue", []string{
				"Content-Type", "application/json; charset=utf-8",
				"X-Azure-Functions-InvocationId", "6795274a-8fd2-4061-8bfa-54ee3929dbcd",
			}, string(azureQueueRequest)),
			status: http.StatusOK,
		},
		{
			name: "gcp", tags: "polyfn.gcp", portEnv: "PORT", env: []string{"FUNCTION_TARGET=orders"},
			request: rawRequest("/", []string{
				"Ce-Specversion", "1.0",
				"Ce-Id", "3103425958877813",
				"Ce-Source", "//pubsub.googleapis.com/projects/test-project/topics/my-topic",
				"Ce-Type", "google.cloud.pubsub.topic.v1.messagePublished",
				"Ce-Time", "2021-02-05T04:06:14.109Z",
				"Content-Type", "application/json",
			}, pubsub),
			status: http.StatusNoContent,
		},
	}
}

// rawRequest writes a keep-alive HTTP/1.1 POST with the given header
// (name, value pairs) and body.
func rawRequest(path string, header []string, body string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: loadbench\r\n", path)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}
