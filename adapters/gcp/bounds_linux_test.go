//go:build linux

package gcp

import (
	"net/http"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/testproc"
)

// TestBounds runs the echo program on this adapter with a low open-file
// limit (1,024) and checks that it stays responsive and under 96 MiB of
// peak RSS through four 10 MiB CloudEvents batches at once (refused: Cloud
// Functions takes one event per request), 2,000 idle connections and 100
// slow bodies (cut at the read timeout). docs/limits.md gives the numbers
// measured.
func TestBounds(t *testing.T) {
	bin := testproc.Build(t, "../../examples/echo", "-tags", "polyfn.gcp")
	port := testproc.FreePort(t)
	p := testproc.StartLimited(t, bin, 1024, "PORT="+port, "POLYFN_READ_TIMEOUT=2s", "FUNCTION_TARGET=")
	url := "http://127.0.0.1:" + port
	p.WaitHTTP(t, url+"/http-echo", 10*time.Second)
	batch, n := testproc.TinyBatch(10 << 20)
	t.Logf("the batch: %.1f MiB, %d events", float64(len(batch))/(1<<20), n)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	testproc.Besiege(t, p, testproc.Siege{
		Addr: "127.0.0.1:" + port,
		Big: func() error {
			return testproc.Expect(fresh, url+"/echo", batch, map[string]string{"Content-Type": "application/cloudevents-batch+json"}, http.StatusBadRequest)
		},
		Probe: func() error {
			return testproc.Expect(fresh, url+"/echo", []byte(pubsubBody), binaryHeaders("probe"), http.StatusOK)
		},
		ProbeWithin: time.Second,
		KeepAlive:   "GET /http-echo",
		SlowPath:    "/echo",
		Conns:       2000,
		Slow:        100,
		SlowCut:     4 * time.Second,
		MaxRSS:      96 << 20,
	})
}
