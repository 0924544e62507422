package gcp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/benchratio"
	"github.com/polyfn/polyfn/internal/loadbench/work"
	"github.com/polyfn/polyfn/internal/slogx"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"

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

// orderJSON is the order the ratio benchmark's functions decode (about 100
// bytes), as in the other adapters' ratio benchmarks.
const orderJSON = `{"order":"A-7","items":[{"sku":"X1","qty":2},{"sku":"Y9","qty":1}],"total":42.5,"currency":"EUR"}`

// orderEnvelope is the messagePublished data of a Pub/Sub message that
// holds orderJSON, as Eventarc delivers it.
var orderEnvelope = []byte(`{"message":{"attributes":{"attr1":"attr1-value"},"data":"` +
	base64.StdEncoding.EncodeToString([]byte(orderJSON)) +
	`","messageId":"message-id","publishTime":"2021-02-05T04:06:14.109Z","orderingKey":"ordering-key"},` +
	`"subscription":"projects/test-project/subscriptions/my-subscription"}`)

// nativeOrder is what a functions-framework-go CloudEvent function does with
// the same event: decode the messagePublished envelope, then the order in
// its (base64) data.
func nativeOrder(_ context.Context, e event.Event) error {
	var d struct {
		Message struct {
			Data        []byte            `json:"data"`
			Attributes  map[string]string `json:"attributes"`
			MessageID   string            `json:"messageId"`
			PublishTime string            `json:"publishTime"`
			OrderingKey string            `json:"orderingKey"`
		} `json:"message"`
		Subscription string `json:"subscription"`
	}
	if err := json.Unmarshal(e.Data(), &d); err != nil {
		return err
	}
	var o work.Order
	return json.Unmarshal(d.Message.Data, &o)
}

// BenchmarkRatios compares, in interleaved rounds in one process, polyfn's
// Google handler (gcp.Handler, which both the container path and, through
// gcf.Register, the source-deploy path serve) against what
// functions-framework-go mounts for a CloudEvent function (the CloudEvents
// SDK's receive handler) with a native function doing the same work:
// decode an Eventarc Pub/Sub event whose message is a 100-byte JSON order,
// decode the order, answer. It reports medians of wall and process CPU
// time, bytes and allocations per event (docs/performance-gcp.md).
// POLYFN_BENCH_ROUNDS sets the rounds (default 15):
//
//	go test ./adapters/gcp -run '^$' -bench Ratios -benchtime 1x -v
func BenchmarkRatios(b *testing.B) {
	rounds := 15
	fmt.Sscan(os.Getenv("POLYFN_BENCH_ROUNDS"), &rounds)
	app := core.NewApp()
	core.Must(app.Event("orders", func(_ context.Context, e core.Event) (*core.Event, error) {
		_, err := core.Decode[work.Order](e)
		return nil, err
	}))
	own, err := Handler(app, WithTarget("orders"), WithLogger(slog.New(slogx.Discard)))
	if err != nil {
		b.Fatal(err)
	}
	p, err := cloudevents.NewHTTP()
	if err != nil {
		b.Fatal(err)
	}
	native, err := cloudevents.NewHTTPReceiveHandler(context.Background(), p, nativeOrder)
	if err != nil {
		b.Fatal(err)
	}
	serve := func(h http.Handler) func() error {
		return func() error {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, benchRequest(b, "/", orderEnvelope))
			if w.Code/100 != 2 {
				return fmt.Errorf("status %d: %s", w.Code, w.Body)
			}
			return nil
		}
	}
	r := benchratio.Compare(b, "Google Pub/Sub, JSON order (Eventarc binary mode), in process", rounds, 20000, serve(native), serve(own))
	r.Log(b, "ff-go")
}
