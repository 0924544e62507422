package azure_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/loadbench/work"
)

func benchApp(b *testing.B) http.Handler {
	app := core.NewApp()
	if err := app.Event("queue", func(context.Context, core.Event) (*core.Event, error) { return nil, nil },
		core.OnQueue("in").With("azure", "name", "inMsg")); err != nil {
		b.Fatal(err)
	}
	h, err := azure.Handler(app)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// benchBody is a real host capture: a Queue Storage invocation.
func benchBody(b *testing.B) []byte {
	body, err := os.ReadFile(filepath.Join("testdata", "requests", "queue-string.json"))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// sinkWriter is a reusable ResponseWriter that keeps nothing.
type sinkWriter struct {
	h      http.Header
	status int
}

func (s *sinkWriter) Header() http.Header         { return s.h }
func (s *sinkWriter) WriteHeader(code int)        { s.status = code }
func (s *sinkWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkInvoke compares polyfn's handler with the bare one on the same
// request, in one run: in process (ServeHTTP, the adapter's own cost) and
// over loopback HTTP from concurrent clients (what the host sees).
func BenchmarkInvoke(b *testing.B) {
	body := benchBody(b)
	handlers := []struct {
		name string
		h    func(*testing.B) http.Handler
	}{
		{"bare", func(*testing.B) http.Handler { return http.HandlerFunc(work.BareAzureQueue) }},
		{"polyfn", benchApp},
	}
	for _, hh := range handlers {
		b.Run("serve/"+hh.name, func(b *testing.B) {
			h := hh.h(b)
			r := httptest.NewRequest(http.MethodPost, "/queue", nil)
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			r.Header.Set("X-Azure-Functions-InvocationId", "6795274a-8fd2-4061-8bfa-54ee3929dbcd")
			w := &sinkWriter{h: http.Header{}}
			rd := bytes.NewReader(body)
			r.Body = io.NopCloser(rd)
			r.ContentLength = int64(len(body)) // the host sends Content-Length
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rd.Reset(body)
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, r)
				if w.status != 0 && w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inv/s")
		})
	}
	for _, hh := range handlers {
		b.Run("http/"+hh.name, func(b *testing.B) {
			srv := httptest.NewServer(hh.h(b))
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			b.ReportAllocs()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, srv.URL+"/queue", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json; charset=utf-8")
					req.Header.Set("X-Azure-Functions-InvocationId", "6795274a-8fd2-4061-8bfa-54ee3929dbcd")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inv/s")
		})
	}
}
