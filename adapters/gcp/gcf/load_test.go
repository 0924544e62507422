package gcf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/internal/slogx"
)

// The concurrent load each Google path must answer in full: the CloudEvents
// SDK's receive handler, which functions-framework-go mounts for CloudEvent
// functions, leaves a few requests of such bursts unanswered (sdk-go
// issues #1224 and #1332).
const (
	loadConns    = 16
	loadRequests = 3200 // per burst, over loadConns keep-alive connections
	loadBursts   = 3
)

// TestConcurrentLoadAnswersEveryRequest sends loadBursts bursts of
// loadRequests binary-mode Pub/Sub events over loadConns connections at
// once to both Google paths —
// the source-deploy path (Register on functions-framework-go's server) and
// the container path (gcp.Serve) — and requires a 2xx answer to every one,
// each within the client's timeout. Then one client sends requests one
// after the other: none may stall waiting for a later request.
func TestConcurrentLoadAnswersEveryRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- gcp.Serve(ctx, ln, newApp(&recorder{}), gcp.WithLogger(slog.New(slogx.Discard)))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gcp.Serve: %v", err)
		}
	}()
	container := "http://" + ln.Addr().String()
	paths := []struct{ name, url string }{
		{"source deploy", ffServer(t) + "/pfbench"},
		{"container", container + "/pfbench"},
	}
	body := readFixture(t, "MessagePublishedData-text.json")
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			for b := 0; b < loadBursts; b++ {
				res := burst(t, p.url, body, loadConns, loadRequests)
				t.Logf("burst %d: %d requests over %d connections in %v: %d answered 2xx; latency p50 %v, p99 %v, max %v",
					b, loadRequests, loadConns, res.elapsed.Round(time.Millisecond), res.ok, res.quantile(0.5), res.quantile(0.99), res.quantile(1))
				if res.ok != loadRequests {
					t.Fatalf("burst %d: %d of %d requests answered 2xx; first failures: %v", b, res.ok, loadRequests, res.failures)
				}
			}
			// A single client afterwards: each request is answered on its
			// own, not when the next one arrives.
			c := &http.Client{Timeout: 2 * time.Second}
			defer c.CloseIdleConnections()
			for i := 0; i < 20; i++ {
				if err := send(c, p.url, fmt.Sprintf("after-%d", i), body); err != nil {
					t.Fatalf("request %d after the burst: %v", i, err)
				}
			}
		})
	}
}

type burstResult struct {
	ok        int
	elapsed   time.Duration
	latencies []time.Duration
	failures  []string
}

func (r burstResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(int(q*float64(len(r.latencies))), len(r.latencies)-1)].Round(time.Microsecond)
}

// burst sends n requests to url over conns clients of one connection each,
// all at once.
func burst(t *testing.T, url string, body []byte, conns, n int) burstResult {
	t.Helper()
	var (
		mu  sync.Mutex
		res burstResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
			defer c.CloseIdleConnections()
			for i := w; i < n; i += conns {
				t0 := time.Now()
				err := send(c, url, fmt.Sprintf("load-%d", i), body)
				d := time.Since(t0)
				mu.Lock()
				res.latencies = append(res.latencies, d)
				if err == nil {
					res.ok++
				} else if len(res.failures) < 5 {
					res.failures = append(res.failures, err.Error())
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	sort.Slice(res.latencies, func(i, j int) bool { return res.latencies[i] < res.latencies[j] })
	return res
}

// send POSTs one binary-mode Pub/Sub event and wants a 2xx answer.
func send(c *http.Client, url, id string, body []byte) error {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range binaryHeaders(id) {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: status %d", id, resp.StatusCode)
	}
	return nil
}
