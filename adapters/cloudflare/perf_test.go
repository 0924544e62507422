package cloudflare_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/cloudflare/cloudflaretest"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// Issue 16's budgets, against a plain JavaScript Worker doing the same
// echo (testdata/jsecho) in the same run, and the limits this test holds
// the adapter to. The cold start and warm latency budgets are not met yet
// (docs/performance-cloudflare.md says where the time goes); their limits
// guard against regressions from the numbers measured, with room for a
// shared machine's noise.
const (
	coldBudget = 4.0 // cold start: process start to the first 200
	coldLimit  = 15.0
	warmBudget = 2.0 // warm p50 of sequential requests
	warmLimit  = 3.5
	gzipBudget = 2_500_000 // examples/echo's app.wasm, gzip -9, bytes: held
	coldRounds = 7         // cold starts per side, interleaved
	warmRounds = 20        // rounds of warmReqs per side, interleaved
	warmReqs   = 50
)

// TestPerformance measures examples/echo on workerd against the plain
// JavaScript echo Worker, interleaving them so that both run under the
// same load of a shared machine, and holds the medians to the limits. It
// measures testdata/gofloor too, in the same rounds: Go and net/http
// behind the same shim without polyfn, the floor of any Go Worker served
// through net/http. docs/performance-cloudflare.md records the numbers
// and the method.
func TestPerformance(t *testing.T) {
	cloudflaretest.RequireWorkerd(t)
	goDir := cloudflaretest.Build(t, "../../examples/echo", nil)
	floorDir := cloudflaretest.Build(t, "./testdata/gofloor", nil)
	jsDir, err := filepath.Abs("testdata/jsecho")
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(filepath.Join(goDir, pcf.WasmFile))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(wasm)
	_ = zw.Close()
	t.Logf("app.wasm of examples/echo: %d bytes, %d gzip -9", len(wasm), gz.Len())
	if gz.Len() > gzipBudget {
		t.Errorf("app.wasm is %d bytes gzipped: over the budget of %d", gz.Len(), gzipBudget)
	}

	var coldGo, coldJS, coldFloor, listenGo, listenJS, listenFloor []time.Duration
	for range coldRounds {
		c, l := coldStart(t, jsDir)
		coldJS, listenJS = append(coldJS, c), append(listenJS, l)
		c, l = coldStart(t, goDir)
		coldGo, listenGo = append(coldGo, c), append(listenGo, l)
		c, l = coldStart(t, floorDir)
		coldFloor, listenFloor = append(coldFloor, c), append(listenFloor, l)
	}
	cg, cj, cf := median(coldGo), median(coldJS), median(coldFloor)
	t.Logf("cold start (process start to first 200), median of %d: Go %v, JS %v: %.2f× (budget %.1f×); of which until workerd listens: Go %v, JS %v",
		coldRounds, cg, cj, float64(cg)/float64(cj), coldBudget, median(listenGo), median(listenJS))
	t.Logf("cold start of the Go floor (net/http, no polyfn): %v (%.2f× JS; until workerd listens %v)", cf, float64(cf)/float64(cj), median(listenFloor))
	if r := float64(cg) / float64(cj); r > coldLimit {
		t.Errorf("cold start %.2f× the JavaScript Worker's: over the regression limit of %.1f×", r, coldLimit)
	}

	gw := cloudflaretest.Serve(t, goDir, pcf.WorkerdFile, false)
	jw := cloudflaretest.Serve(t, jsDir, pcf.WorkerdFile, false)
	fw := cloudflaretest.Serve(t, floorDir, pcf.WorkerdFile, false)
	var warmGo, warmJS, warmFloor []time.Duration
	for range warmRounds {
		warmJS = append(warmJS, requests(t, jw.URL, warmReqs)...)
		warmGo = append(warmGo, requests(t, gw.URL, warmReqs)...)
		warmFloor = append(warmFloor, requests(t, fw.URL, warmReqs)...)
	}
	wg, wj, wf := median(warmGo[warmReqs:]), median(warmJS[warmReqs:]), median(warmFloor[warmReqs:]) // the first round warms up
	t.Logf("warm p50 over %d requests: Go %v, JS %v: %.2f× (budget %.1f×); Go floor %v (%.2f× JS)",
		len(warmGo)-warmReqs, wg, wj, float64(wg)/float64(wj), warmBudget, wf, float64(wf)/float64(wj))
	if r := float64(wg) / float64(wj); r > warmLimit {
		t.Errorf("warm p50 %.2f× the JavaScript Worker's: over the regression limit of %.1f×", r, warmLimit)
	}
}

// coldStart starts workerd on dir and returns the time from the process's
// start to the first 200 of POST /echo, and to its listening.
func coldStart(t *testing.T, dir string) (first, listen time.Duration) {
	w := cloudflaretest.Serve(t, dir, pcf.WorkerdFile, false)
	defer w.Stop()
	for {
		if status := echo(t, w.URL); status == http.StatusOK {
			return time.Since(w.Started), w.Ready.Sub(w.Started)
		}
		if time.Since(w.Started) > 30*time.Second {
			t.Fatalf("no 200 from %s within 30 s", dir)
		}
	}
}

// requests sends n echo requests one after another and returns each one's
// latency.
func requests(t *testing.T, url string, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		start := time.Now()
		if status := echo(t, url); status != http.StatusOK {
			t.Fatalf("POST %s/echo: status %d", url, status)
		}
		out[i] = time.Since(start)
	}
	return out
}

var echoBody = []byte(`{"order":"A-7","qty":2}`)

func echo(t *testing.T, url string) int {
	req, _ := http.NewRequest("POST", url+"/echo", bytes.NewReader(echoBody))
	req.Header = http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"p-1"}, "Ce-Source": {"/perf"}, "Ce-Type": {"com.example.perf"},
		"Content-Type": {"application/json"}}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s/echo: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
