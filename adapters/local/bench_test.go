package local

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/benchratio"
	"github.com/polyfn/polyfn/internal/loadbench/work"
)

// The per-event path of the local adapter against a bare net/http handler
// doing the same work: read a binary-mode CloudEvent (ce- headers and a JSON
// body), check the required attributes, decode the JSON data into a struct,
// and answer with a reply event in binary mode.
//
//	go test ./adapters/local -run '^$' -bench Event -benchmem -count 10

const benchBody = `{"order":"A-7","items":[{"sku":"X1","qty":2},{"sku":"Y9","qty":1}],"total":42.5,"currency":"EUR"}`

func benchRequest() *http.Request {
	r := httptest.NewRequest("POST", "/orders", strings.NewReader(benchBody))
	r.Header.Set("Ce-Specversion", "1.0")
	r.Header.Set("Ce-Id", "A234-1234-1234")
	r.Header.Set("Ce-Source", "https://example.com/orders")
	r.Header.Set("Ce-Type", "com.example.order.placed")
	r.Header.Set("Ce-Time", "2026-11-25T10:11:12Z")
	r.Header.Set("Ce-Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	r.Header.Set("Content-Type", "application/json")
	return r
}

func runBench(b *testing.B, h http.Handler) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := benchRequest()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

func benchApp() *core.App {
	app := core.NewApp()
	core.Must(app.Event("orders", core.Typed(func(_ context.Context, e core.Event, o work.Order) (*core.Event, error) {
		reply := core.NewEvent(e.ID()+".reply", "https://example.com/orders", "com.example.order.accepted", "application/json", work.Reply)
		return &reply, nil
	})))
	return app
}

func BenchmarkEvent(b *testing.B) {
	h, err := Handler(benchApp())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bare-net-http", func(b *testing.B) { runBench(b, http.HandlerFunc(work.BareCloudEvent)) })
	b.Run("polyfn-local", func(b *testing.B) { runBench(b, h) })
}

// BenchmarkEventLoopback is BenchmarkEvent over a real loopback connection
// (keep-alive), as a client on the same machine sees it.
func BenchmarkEventLoopback(b *testing.B) {
	h, err := Handler(benchApp())
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, h http.Handler) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		client := srv.Client()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r := benchRequest()
			req, _ := http.NewRequest("POST", srv.URL+"/orders", r.Body)
			req.Header = r.Header
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("bare-net-http", func(b *testing.B) { run(b, http.HandlerFunc(work.BareCloudEvent)) })
	b.Run("polyfn-local", func(b *testing.B) { run(b, h) })
}

// BenchmarkRatio compares the per-event path with the bare handler in
// interleaved rounds and reports medians of wall and process CPU time per
// event (docs/performance.md). POLYFN_BENCH_ROUNDS sets the rounds
// (default 15):
//
//	go test ./adapters/local -run '^$' -bench Ratio -benchtime 1x -v
func BenchmarkRatio(b *testing.B) {
	rounds := 15
	fmt.Sscan(os.Getenv("POLYFN_BENCH_ROUNDS"), &rounds)
	h, err := Handler(benchApp())
	if err != nil {
		b.Fatal(err)
	}
	serve := func(h http.Handler, req func() *http.Request) func() error {
		return func() error {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req())
			if w.Code != http.StatusOK {
				return fmt.Errorf("status %d: %s", w.Code, w.Body)
			}
			return nil
		}
	}
	b.Run("binary", func(b *testing.B) {
		r := benchratio.Compare(b, "local, binary-mode event with a 100-byte JSON order and a reply", rounds, 20000,
			serve(http.HandlerFunc(work.BareCloudEvent), benchRequest), serve(h, benchRequest))
		r.Log(b, "bare")
	})
	b.Run("structured", func(b *testing.B) {
		r := benchratio.Compare(b, "local, structured-mode event with a 100-byte JSON order and a reply", rounds, 20000,
			serve(http.HandlerFunc(work.BareStructuredCloudEvent), structuredRequest), serve(h, structuredRequest))
		r.Log(b, "bare")
	})
}

// structuredRequest is benchRequest's event in structured mode.
func structuredRequest() *http.Request {
	r := httptest.NewRequest("POST", "/orders", strings.NewReader(`{"specversion":"1.0","id":"A234-1234-1234",`+
		`"source":"https://example.com/orders","type":"com.example.order.placed","time":"2026-11-25T10:11:12Z",`+
		`"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","datacontenttype":"application/json","data":`+benchBody+`}`))
	r.Header.Set("Content-Type", "application/cloudevents+json")
	return r
}
