package cloudflare_test

import (
	"context"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/core"
)

// fetchHead is the head worker.mjs hands Go for the performance test's
// request under workerd: a binary-mode CloudEvent POSTed to /echo by Go's
// HTTP client.
const fetchHead = "POST\nhttp://127.0.0.1:8787/echo\n" +
	"accept-encoding:gzip\nce-id:p-1\nce-source:/perf\nce-specversion:1.0\nce-type:com.example.perf\n" +
	"content-length:23\ncontent-type:application/json\nhost:127.0.0.1:8787\nuser-agent:Go-http-client/1.1\n"

func echoHandler(t testing.TB) *cloudflare.Handler {
	app := core.NewApp()
	core.Must(app.Event("echo", func(_ context.Context, e core.Event) (*core.Event, error) {
		r := core.NewEvent(e.ID()+".reply", "polyfn/examples/echo", "polyfn.echo.reply", "application/json", e.Data())
		return &r, nil
	}))
	h, err := cloudflare.NewHandler(app, cloudflare.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// BenchmarkFetch is the Go side of a warm fetch, off WebAssembly: the
// request's head and body in, the answer's status, header lines and body
// out.
func BenchmarkFetch(b *testing.B) {
	h := echoHandler(b)
	body := []byte(`{"order":"A-7","qty":2}`)
	b.ReportAllocs()
	for b.Loop() {
		status, header, out := h.Fetch(fetchHead, body)
		if status != 200 || !strings.Contains(header, "Ce-Id:p-1.reply\n") || string(out) != string(body) {
			b.Fatalf("answer %d %q %q", status, header, out)
		}
	}
}
