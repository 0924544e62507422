package otelfn_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/otelfn"
	"github.com/polyfn/polyfn/internal/benchratio"
)

// discard is a span exporter that drops what it gets.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// benchSetup returns the local adapter's handler for an App with one
// event function answering a reply, the providers BenchmarkOverhead
// installs (every span sampled into otelfn's batcher with a no-op
// exporter, metrics aggregated by a reader that never exports), and a
// maker of the binary-mode request it sends.
func benchSetup(b *testing.B) (http.Handler, *otelfn.Providers, func(url string) *http.Request) {
	app := core.NewApp()
	core.Must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		r := core.NewEvent(e.ID()+".r", "/orders", "com.example.order.accepted", "application/json", e.Data())
		return &r, nil
	}))
	h, err := local.Handler(app)
	if err != nil {
		b.Fatal(err)
	}
	// The batching span processor otelfn.Use installs, with the SDK's
	// default settings.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(otelfn.NewBatcher(discard{})), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	p := &otelfn.Providers{Tracer: tp, Meter: mp}
	b.Cleanup(func() {
		p.Uninstall()
		_ = p.Shutdown(context.Background()) // nothing to report
	})
	request := func(url string) *http.Request {
		req := httptest.NewRequest("POST", url, strings.NewReader(`{"id":"o-1","items":3,"customer":"c-9","total":"129.90","currency":"EUR"}`))
		req.RequestURI = ""
		for k, v := range map[string]string{"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": "A234-1234-1234",
			"Ce-Source": "https://example.com/orders", "Ce-Type": "com.example.order.placed",
			"Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"} {
			req.Header[k] = []string{v}
		}
		return req
	}
	return h, p, request
}

// BenchmarkSides serves BenchmarkOverhead's request b.N times, to the
// handler in process and over loopback HTTP, with OpenTelemetry off and
// on, as separate benchmarks: for profiles and instruction counts, which
// need no interleaving (docs/performance.md):
//
//	go test ./core/otelfn -run '^$' -bench Sides -benchmem
func BenchmarkSides(b *testing.B) {
	h, p, request := benchSetup(b)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	paths := []struct {
		name  string
		serve func() (int, error)
	}{
		{"handler", func() (int, error) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, request("/orders"))
			return w.Code, nil
		}},
		{"http", func() (int, error) {
			res, err := client.Do(request(srv.URL + "/orders"))
			if err != nil {
				return 0, err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode, nil
		}},
	}
	for _, path := range paths {
		for _, side := range []struct {
			name    string
			install func()
		}{{"off", p.Uninstall}, {"on", p.Install}} {
			b.Run(path.name+"/"+side.name, func(b *testing.B) {
				side.install()
				b.ReportAllocs()
				for b.Loop() {
					if code, err := path.serve(); err != nil || code != http.StatusOK {
						b.Fatalf("status %d, %v", code, err)
					}
				}
			})
		}
	}
}

// BenchmarkOverhead compares the local adapter's path for one event with
// a reply, without OpenTelemetry and with it on (every span sampled and
// exported to a no-op exporter, metrics aggregated by a reader that never
// exports), in interleaved rounds, and reports medians of wall and process
// CPU time (docs/performance.md). POLYFN_BENCH_ROUNDS sets the rounds
// (default 15):
//
//	go test ./core/otelfn -run '^$' -bench Overhead -benchtime 1x -v
func BenchmarkOverhead(b *testing.B) {
	rounds := 15
	fmt.Sscan(os.Getenv("POLYFN_BENCH_ROUNDS"), &rounds)
	h, p, request := benchSetup(b)
	off, on := p.Uninstall, p.Install
	// In process: the handler alone, the harshest comparison.
	handler := func(install func()) func() error {
		return func() error {
			install()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, request("/orders"))
			if w.Code != http.StatusOK {
				return fmt.Errorf("status %d: %s", w.Code, w.Body)
			}
			return nil
		}
	}
	b.Run("handler", func(b *testing.B) {
		r := benchratio.Compare(b, "local handler in process, binary-mode event and a reply, OpenTelemetry off and on (no-op exporter)", rounds, 20000,
			handler(off), handler(on))
		r.Log(b, "off")
	})
	// Over HTTP on loopback: the local adapter's path as a caller sees it
	// (client and server in this process).
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	overHTTP := func(install func()) func() error {
		return func() error {
			install()
			res, err := client.Do(request(srv.URL + "/orders"))
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", res.StatusCode)
			}
			return nil
		}
	}
	b.Run("http", func(b *testing.B) {
		r := benchratio.Compare(b, "local adapter over loopback HTTP, binary-mode event and a reply, OpenTelemetry off and on (no-op exporter)", rounds, 5000,
			overHTTP(off), overHTTP(on))
		r.Log(b, "off")
	})
}
