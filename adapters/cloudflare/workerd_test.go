package cloudflare_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/adapters/cloudflare/cfbuild"
	"github.com/polyfn/polyfn/adapters/cloudflare/cloudflaretest"
	"github.com/polyfn/polyfn/internal/cehttp"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// TestWorkerdEcho serves examples/echo under workerd and checks fetch:
// CloudEvents in binary mode, an HTTP function, and a failure's answer.
func TestWorkerdEcho(t *testing.T) {
	cloudflaretest.RequireWorkerd(t)
	dir := cloudflaretest.Build(t, "../../examples/echo", nil)
	w := cloudflaretest.Serve(t, dir, pcf.WorkerdFile, false)
	big := strings.Repeat("0123456789abcdef", 5000) // 80,000 bytes: over worker.mjs's 64 KiB buffers both ways
	ce := func(id, data string) http.Header {
		return http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {id}, "Ce-Source": {"/edge/test"}, "Ce-Type": {"com.example.ping"},
			"Content-Type": {"application/json"}}
	}
	tests := []struct {
		name, path string
		header     http.Header
		body       string
		status     int
		check      func(t *testing.T, resp *http.Response, body []byte)
	}{
		{"binary CloudEvent gets the echo reply", "/echo", ce("e-1", ""), `{"n":1}`, 200, func(t *testing.T, resp *http.Response, body []byte) {
			reply, err := cehttp.ReadBinary(resp.Header, body)
			if err != nil {
				t.Fatalf("the reply is not a binary-mode CloudEvent: %v", err)
			}
			if reply.Type() != "polyfn.echo.reply" {
				t.Errorf("reply type %q, want polyfn.echo.reply", reply.Type())
			}
			var got struct {
				ID   string          `json:"id"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(reply.Data(), &got); err != nil || got.ID != "e-1" || string(got.Data) != `{"n":1}` {
				t.Errorf("reply data %s (%v), want the received event e-1 with data {\"n\":1}", reply.Data(), err)
			}
		}},
		{"failure answers the JSON error shape", "/echo", ce("e-2", ""), `{"fail":true}`, 500, func(t *testing.T, _ *http.Response, body []byte) {
			var got struct{ Error, Kind, InvocationID string }
			if err := json.Unmarshal(body, &got); err != nil || got.Kind != "retryable" || strings.Contains(string(body), "requested") {
				t.Errorf("answer %s: want kind retryable without the function's error text", body)
			}
		}},
		{"HTTP function", "/http-echo?x=1", http.Header{"X-Edge": {"yes"}}, "hi", 200, func(t *testing.T, _ *http.Response, body []byte) {
			var got struct {
				Method, Path, Body string
				Query              map[string][]string
				Headers            map[string][]string
			}
			if err := json.Unmarshal(body, &got); err != nil || got.Method != "POST" || got.Path != "/http-echo" || got.Body != "hi" ||
				got.Query["x"][0] != "1" || got.Headers["X-Edge"][0] != "yes" {
				t.Errorf("answer %s (%v)", body, err)
			}
		}},
		{"request and answer larger than the exchange buffers", "/http-echo", http.Header{"X-Edge": {"big"}}, big, 200,
			func(t *testing.T, _ *http.Response, body []byte) {
				var got struct{ Body string }
				if err := json.Unmarshal(body, &got); err != nil || got.Body != big {
					t.Errorf("answer of %d bytes (%v): want the %d-byte body back", len(body), err, len(big))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := w.Post(t, tt.path, tt.header, []byte(tt.body))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			tt.check(t, resp, body)
		})
	}
	t.Run("a waiting handler does not hold up the next request", func(t *testing.T) {
		slow := make(chan time.Time, 1)
		req, err := http.NewRequest("POST", w.URL+"/echo", strings.NewReader(`{"sleep_ms":400}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = ce("e-slow", "")
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("sleeping event: %v", err)
			} else if resp.Body.Close(); resp.StatusCode != 200 {
				t.Errorf("sleeping event: status %d", resp.StatusCode)
			}
			slow <- time.Now()
		}()
		time.Sleep(100 * time.Millisecond) // the first request is waiting in its handler
		resp, body := w.Post(t, "/echo", ce("e-fast", ""), []byte(`{}`))
		fast := time.Now()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if done := <-slow; !fast.Before(done) {
			t.Errorf("the second request was answered %v after the sleeping one: it waited for it", fast.Sub(done))
		}
	})
	t.Run("concurrent requests each get their own answer", func(t *testing.T) {
		// Waiting handlers, bodies over the exchange's buffer and small ones at
		// once: each request must be copied before the next one is written.
		post := func(path string, header http.Header, body string) (*http.Response, []byte, error) {
			req, err := http.NewRequest("POST", w.URL+path, strings.NewReader(body))
			if err != nil {
				return nil, nil, err
			}
			req.Header = header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, nil, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return resp, b, err
		}
		done := make(chan error, 24)
		for i := range cap(done) {
			go func() {
				if i%3 == 0 {
					id := fmt.Sprintf("e-c%d", i)
					resp, body, err := post("/echo", ce(id, ""), `{"sleep_ms":50}`)
					if err != nil {
						done <- fmt.Errorf("%s: %v", id, err)
						return
					}
					if resp.StatusCode != 200 || resp.Header.Get("Ce-Id") != id+".reply" {
						done <- fmt.Errorf("%s: status %d, ce-id %q: %s", id, resp.StatusCode, resp.Header.Get("Ce-Id"), body)
						return
					}
					done <- nil
					return
				}
				sent := strings.Repeat(fmt.Sprintf("<%d>", i), 10+(i%3-1)*20000) // every third over 64 KiB
				_, body, err := post("/http-echo", http.Header{"X-Edge": {"c"}}, sent)
				var got struct{ Body string }
				if err == nil {
					err = json.Unmarshal(body, &got)
				}
				if err != nil || got.Body != sent {
					done <- fmt.Errorf("request %d: answer of %d bytes (%v), want its %d-byte body", i, len(body), err, len(sent))
					return
				}
				done <- nil
			}()
		}
		for range cap(done) {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	})
}

// TestWorkerdTriggers serves the test program behind the driver Worker and
// fires its Cron Trigger and queue handlers, as Cloudflare does, and
// checks the per-message acks and retries, and the memory bound.
func TestWorkerdTriggers(t *testing.T) {
	cloudflaretest.RequireWorkerd(t)
	dir := cloudflaretest.Build(t, "./testdata/edgeapp", map[string]string{"POLYFN_MAX_BODY_BYTES": "8388608", "EDGE_SECRET": "s3cret"}, "CACHE")
	w := cloudflaretest.Serve(t, dir, cfbuild.DriverConfigFile, true)
	post := func(t *testing.T, path string, v any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(v)
		resp, body := w.Post(t, path, http.Header{"Content-Type": {"application/json"}}, b)
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: status %d: %s", path, resp.StatusCode, body)
		}
		var out map[string]any
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("POST %s: %s: %v", path, body, err)
		}
		return out
	}
	t.Run("cron", func(t *testing.T) {
		tests := []struct {
			cron, outcome string
		}{
			{"*/5 * * * 1-5", "ok"},     // as declared
			{"*/5 * * * MON-FRI", "ok"}, // as the Cron Trigger is deployed (pcf.Cron)
			{"0 0 * * *", "exception"},  // no function on that cron
		}
		for _, tt := range tests {
			got := post(t, "/__polyfn/scheduled", map[string]any{"cron": tt.cron, "scheduledTime": 1764244800000})
			if got["outcome"] != tt.outcome {
				t.Errorf("cron %q: outcome %v, want %s", tt.cron, got, tt.outcome)
			}
		}
		if logs := w.Logs(); !strings.Contains(logs, `"kind":"schedule.fired"`) || !strings.Contains(logs, pcf.TypeCronFired) {
			t.Errorf("the tick function did not log a schedule.fired event of type %s:\n%s", pcf.TypeCronFired, logs)
		}
	})
	t.Run("queue", func(t *testing.T) {
		msgs := []map[string]any{
			{"id": "q-0", "timestamp": 1764244800000, "attempts": 1, "body": map[string]any{"n": 0}},
			{"id": "q-1", "timestamp": 1764244800001, "attempts": 1, "body": map[string]any{"fail": "permanent"}},
			{"id": "q-2", "timestamp": 1764244800002, "attempts": 2, "body": "plain text"},
			{"id": "q-3", "timestamp": 1764244800003, "attempts": 1, "body": map[string]any{"fail": "retryable"}},
		}
		got := post(t, "/__polyfn/queue", map[string]any{"queue": "jobs", "messages": msgs})
		acks := fmt.Sprint(got["explicitAcks"])
		retries := fmt.Sprint(got["retryMessages"])
		if got["outcome"] != "ok" || acks != "[q-0 q-2]" || !strings.Contains(retries, "q-1") || !strings.Contains(retries, "q-3") ||
			strings.Contains(retries, "q-0") || strings.Contains(retries, "q-2") || got["ackAll"] != false {
			t.Errorf("queue result %v: want q-0 and q-2 acked, q-1 and q-3 retried", got)
		}
		got = post(t, "/__polyfn/queue", map[string]any{"queue": "nobody", "messages": msgs[:1]})
		if got["outcome"] == "ok" && fmt.Sprint(got["explicitAcks"]) != "[]" {
			t.Errorf("a queue no function consumes: %v; want nothing acked", got)
		}
	})
	t.Run("bindings", func(t *testing.T) {
		do := func(method, path, body string) (int, string) {
			req, _ := http.NewRequest(method, w.URL+path, strings.NewReader(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		steps := []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"GET", "/env/EDGE_SECRET", "", 200, "s3cret"}, // a text binding, as vars and secrets are
			{"GET", "/env/NOPE", "", 404, ""},
			{"GET", "/kv/a", "", 404, ""},
			{"PUT", "/kv/a", "\x00value", 204, ""},
			{"GET", "/kv/a", "", 200, "\x00value"},
			{"DELETE", "/kv/a", "", 204, ""},
			{"GET", "/kv/a", "", 404, ""},
		}
		for _, s := range steps {
			status, body := do(s.method, s.path, s.body)
			if status != s.status || (s.want != "" && body != s.want) {
				t.Errorf("%s %s: status %d %q, want %d %q", s.method, s.path, status, body, s.status, s.want)
			}
		}
	})
	t.Run("memory", func(t *testing.T) {
		big := []byte(strings.Repeat("x", 6<<20))
		for i := 0; i < 30; i++ {
			resp, body := w.Post(t, "/body", nil, big)
			if resp.StatusCode != 200 || string(body) != fmt.Sprintf(`{"bytes":%d}`, len(big)) {
				t.Fatalf("request %d: status %d: %s", i, resp.StatusCode, body)
			}
		}
		resp, err := http.Get(w.URL + "/mem")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m struct{ Total uint64 }
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		t.Logf("after 30 bodies of 6 MiB: Go runtime memory %d MiB", m.Total>>20)
		if m.Total == 0 || m.Total > cloudflare.MemoryLimit {
			t.Errorf("Go runtime memory %d MiB: want some, under the adapter's %d MiB limit (a Worker has 128 MB)", m.Total>>20, cloudflare.MemoryLimit>>20)
		}
		resp, body := w.Post(t, "/body", nil, append(big, big...))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a 12 MiB body over the 8 MiB limit: status %d: %s; want 413", resp.StatusCode, body)
		}
	})
}

// TestWorkerdStartFailure: when the App's start hooks fail, the Worker
// answers 503 without the error's text, and logs the error.
func TestWorkerdStartFailure(t *testing.T) {
	cloudflaretest.RequireWorkerd(t)
	dir := cloudflaretest.Build(t, "./testdata/edgeapp", map[string]string{"EDGE_FAIL_START": "1"})
	w := cloudflaretest.Serve(t, dir, pcf.WorkerdFile, false)
	for i := range 2 { // the second request starts the program again
		resp, body := w.Post(t, "/body", nil, []byte("x"))
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"kind":"unavailable"`) || strings.Contains(string(body), "requested") {
			t.Errorf("request %d: status %d %s; want 503 of kind unavailable without the error's text", i, resp.StatusCode, body)
		}
	}
	if logs := w.Logs(); !strings.Contains(logs, "edgeapp: start-up failure requested") {
		t.Errorf("the Worker's log lacks the start-up error:\n%s", logs)
	}
}
