//go:build linux

package azure_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/internal/testproc"
)

// TestBounds runs the echo program on this adapter with a low open-file
// limit (1,024) and checks that it stays responsive and under 256 MiB of
// peak RSS through four 12.9 MiB host envelopes at once, each an HTTP
// trigger carrying a 10 MiB CloudEvents batch of tiny events (refused at
// the batch cap), 2,000 idle connections and 100 slow
// bodies (cut at the read timeout). docs/limits.md gives the numbers
// measured.
func TestBounds(t *testing.T) {
	bin := testproc.Build(t, "../../examples/echo", "-tags", "polyfn.azure")
	port := testproc.FreePort(t)
	p := testproc.StartLimited(t, bin, 1024, "FUNCTIONS_CUSTOMHANDLER_PORT="+port, "FUNCTIONS_APP_ROOT_PATH="+t.TempDir(), "POLYFN_READ_TIMEOUT=2s")
	url := "http://127.0.0.1:" + port
	p.WaitHTTP(t, url+"/", 10*time.Second)
	host := azuretest.New(url)
	host.Client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	batch, n := testproc.TinyBatch(10 << 20)
	r := httptest.NewRequest("POST", "https://polyfn.azurewebsites.net/api/echo", bytes.NewReader(batch))
	r.Header.Set("Content-Type", "application/cloudevents-batch+json")
	envelope := azuretest.HTTP("req", r, nil)
	size := len(azuretest.Encode(envelope))
	t.Logf("the envelope: %.1f MiB, a batch of %.1f MiB with %d events", float64(size)/(1<<20), float64(len(batch))/(1<<20), n)
	invoke := func(req azuretest.Request) (*azuretest.Result, error) {
		return host.Invoke(context.Background(), "echo", req)
	}
	testproc.Besiege(t, p, testproc.Siege{
		Addr: "127.0.0.1:" + port,
		// The provider refuses the batch at the cap, before decoding any
		// event, and the adapter answers the HTTP caller 413 through the
		// http output, naming the cap.
		Big: func() error {
			res, err := invoke(envelope)
			if err != nil {
				return err
			}
			resp, err := res.HTTP()
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(resp.Body), "too many events in one batch") {
				return fmt.Errorf("the caller got %d %.200s, want 413 naming the batch cap", resp.StatusCode, resp.Body)
			}
			return nil
		},
		Probe: func() error {
			r := httptest.NewRequest("POST", "https://polyfn.azurewebsites.net/api/echo", bytes.NewReader([]byte(`{}`)))
			r.Header.Set("Content-Type", "application/json")
			res, err := invoke(azuretest.HTTP("req", r, nil))
			if err != nil {
				return err
			}
			if resp, err := res.HTTP(); err != nil || resp.StatusCode != http.StatusOK {
				return fmt.Errorf("the caller got %+v, %v", resp, err)
			}
			return nil
		},
		ProbeWithin: time.Second,
		KeepAlive:   "GET /",
		SlowPath:    "/echo",
		Conns:       2000,
		Slow:        100,
		SlowCut:     4 * time.Second,
		MaxRSS:      256 << 20,
	})
}
