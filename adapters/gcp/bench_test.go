package gcp

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/slogx"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/testproc"
)

// benchRequest is what Eventarc POSTs for a Pub/Sub message: a binary-mode
// CloudEvent.
func benchRequest(b *testing.B, url string, body []byte) *http.Request {
	b.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	for k, v := range binaryHeaders("bench-1") {
		req.Header.Set(k, v)
	}
	req.Header.Set("Ce-Time", "2026-01-02T03:04:05.678Z")
	return req
}

// BenchmarkHandler measures one Pub/Sub event in process, without network
// or client: polyfn's Handler against the CloudEvents SDK receive handler
// functions-framework-go wraps every CloudEvent function in.
func BenchmarkHandler(b *testing.B) {
	app := core.NewApp()
	core.Must(app.Event("pfbench", polyfnBench))
	own, err := Handler(app, WithTarget("pfbench"), WithLogger(slog.New(slogx.Discard)))
	if err != nil {
		b.Fatal(err)
	}
	p, err := cloudevents.NewHTTP()
	if err != nil {
		b.Fatal(err)
	}
	native, err := cloudevents.NewHTTPReceiveHandler(context.Background(), p, nativeBench)
	if err != nil {
		b.Fatal(err)
	}
	body := fixture(b, "MessagePublishedData-text.json")
	for _, s := range []struct {
		name string
		h    http.Handler
	}{{"native-sdk", native}, {"polyfn", own}} {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				s.h.ServeHTTP(w, benchRequest(b, "/", body))
				if w.Code/100 != 2 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// firstOK starts bin and returns the time from exec to the first 2xx
// answer to a binary-mode CloudEvent.
func firstOK(b *testing.B, bin string, body []byte) time.Duration {
	port := testproc.FreePort(b)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "FUNCTION_TARGET=echo")
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	url := "http://127.0.0.1:" + port + "/"
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	for time.Since(t0) < 10*time.Second {
		resp, err := client.Do(benchRequest(b, url, body))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return time.Since(t0)
			}
			b.Fatalf("%s: status %d", bin, resp.StatusCode)
		}
		time.Sleep(200 * time.Microsecond)
	}
	b.Fatalf("%s: no 2xx within 10 s", bin)
	return 0
}

// BenchmarkStartup measures process start to first 2xx for a native
// functions-framework-go binary and for examples/echo built with
// -tags polyfn.gcp, alternating the two every iteration so both see the same
// machine load. It reports the medians and their ratio; ns/op is one pair.
func BenchmarkStartup(b *testing.B) {
	flags := []string{"-trimpath", "-ldflags=-s -w"}
	bins := [2]string{
		testproc.Build(b, "./testdata/native", flags...),
		testproc.Build(b, "../../examples/echo", append(flags, "-tags", "polyfn.gcp")...),
	}
	body := fixture(b, "MessagePublishedData-text.json")
	var native, polyfn []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		native = append(native, firstOK(b, bins[0], body))
		polyfn = append(polyfn, firstOK(b, bins[1], body))
	}
	b.StopTimer()
	med := func(d []time.Duration) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	n, p := med(native), med(polyfn)
	b.ReportMetric(n, "native-ms")
	b.ReportMetric(p, "polyfn-ms")
	b.ReportMetric(p/n, "ratio")
	for i, bin := range bins {
		if st, err := os.Stat(bin); err == nil {
			b.ReportMetric(float64(st.Size())/1e6, [2]string{"native-MB", "polyfn-MB"}[i])
		}
	}
}
