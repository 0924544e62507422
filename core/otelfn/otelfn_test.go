package otelfn_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	collmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	colltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/metrics"
	"github.com/polyfn/polyfn/core/otelfn"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
)

// receiver is an OTLP/HTTP receiver: it keeps the spans and the names of
// the metrics exported to it.
type receiver struct {
	url     string
	mu      sync.Mutex
	spans   []*tracepb.Span
	metrics map[string]bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want protobuf", 400)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch req.URL.Path {
	case "/v1/traces":
		var m colltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &m); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rs := range m.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				r.spans = append(r.spans, ss.Spans...)
			}
		}
	case "/v1/metrics":
		var m collmetrics.ExportMetricsServiceRequest
		if err := proto.Unmarshal(b, &m); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rm := range m.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, mm := range sm.Metrics {
					r.metrics[mm.Name] = true
				}
			}
		}
	default:
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) snapshot() ([]*tracepb.Span, map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]bool{}
	for k := range r.metrics {
		m[k] = true
	}
	return append([]*tracepb.Span(nil), r.spans...), m
}

func startReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{metrics: map[string]bool{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "10")
	t.Setenv("OTEL_METRIC_EXPORT_INTERVAL", "60000")
	return r
}

const (
	traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	tp      = "00-" + traceID + "-00f067aa0ba902b7-01"
)

// The local adapter's contract: POST /fulfil with a traceparent gives an
// exported span in that trace and a JSON log line naming fulfil with that
// trace id; stopping the App flushes spans and metrics.
func TestLocalContract(t *testing.T) {
	rcv := startReceiver(t)
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "")
	var logs bytes.Buffer
	app := startApp(t, func(ctx context.Context, e core.Event) (*core.Event, error) {
		core.InvocationFrom(ctx).Logger.InfoContext(ctx, "fulfilled")
		metrics.Add(ctx, "orders.fulfilled", 1, metrics.Dim{Name: "region", Value: "eu"})
		r := core.NewEvent("r-1", "/fulfil", "com.example.fulfilled", "", nil)
		return &r, nil
	})
	h, err := local.Handler(app, local.WithLogger(slog.New(invoke.NewLogHandler(&logs, slogx.Options{}))))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/fulfil", strings.NewReader(`{}`))
	w := serveAndStop(t, app, h, req, map[string]string{"Content-Type": "application/json", "Ce-Specversion": "1.0", "Ce-Id": "e-1",
		"Ce-Source": "/orders", "Ce-Type": "com.example.order", "Traceparent": tp})
	spans, metrics := rcv.snapshot()
	byName := map[string]*tracepb.Span{}
	for _, s := range spans {
		if hex.EncodeToString(s.TraceId) != traceID {
			t.Errorf("span %s in trace %x, want %s", s.Name, s.TraceId, traceID)
		}
		byName[s.Name] = s
	}
	// One event in the invocation's trace: one span, with the event's
	// attributes.
	inv := byName["fulfil"]
	if inv == nil || len(spans) != 1 {
		t.Fatalf("spans %v, want fulfil's only", byName)
	}
	if hex.EncodeToString(inv.ParentSpanId) != "00f067aa0ba902b7" {
		t.Errorf("invocation span's parent %x, want the traceparent's", inv.ParentSpanId)
	}
	attrs := map[string]string{}
	for _, a := range inv.Attributes {
		attrs[a.Key] = a.Value.String()
	}
	for _, k := range []string{"faas.trigger", "faas.invocation_id", "faas.coldstart", "polyfn.provider", "cloudevents.event_id", "cloudevents.event_type"} {
		if attrs[k] == "" {
			t.Errorf("invocation span lacks %s: %v", k, attrs)
		}
	}
	for _, m := range []string{"faas.invocations", "faas.invoke_duration", "faas.coldstarts", "orders.fulfilled"} {
		if !metrics[m] {
			t.Errorf("metric %s not exported: %v", m, metrics)
		}
	}
	// The log line and the reply name the invocation's span.
	rec := inv
	want := "00-" + traceID + "-" + hex.EncodeToString(rec.SpanId) + "-01"
	if got := w.Header().Get("Ce-Traceparent"); got != want {
		t.Errorf("reply traceparent %s, want %s", got, want)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if line["function"] != "fulfil" || line["trace_id"] != traceID || line["span_id"] != hex.EncodeToString(rec.SpanId) {
		t.Errorf("log line %s: want fulfil, trace %s, span %x", logs.String(), traceID, rec.SpanId)
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name           string
		env            map[string]string
		traces, meters bool
		err            string
	}{
		{"no endpoint", nil, false, false, ""},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}, true, true, ""},
		{"traces only", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:1/v1/traces"}, true, false, ""},
		{"metrics off", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_METRICS_EXPORTER": "none"}, true, false, ""},
		{"disabled", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SDK_DISABLED": "true"}, false, false, ""},
		{"grpc", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, false, `OTEL_EXPORTER_OTLP_PROTOCOL="grpc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := otelfn.FromEnv(context.Background(), func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p.Tracer != nil) != tt.traces || (p.Meter != nil) != tt.meters {
				t.Errorf("tracer %v meter %v, want %v %v", p.Tracer != nil, p.Meter != nil, tt.traces, tt.meters)
			}
			_ = p.Shutdown(context.Background())
		})
	}
}

// serveAndStop serves req, with header, through h, wants a 2xx answer,
// then stops app, which flushes what otelfn holds.
func serveAndStop(t *testing.T, app *core.App, h http.Handler, req *http.Request, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code/100 != 2 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// startApp returns a started App with otelfn on and one event function,
// fulfil; stopping it is the test's.
func startApp(t *testing.T, fn core.EventFunc, opts ...core.FunctionOption) *core.App {
	t.Helper()
	app := core.NewApp()
	otelfn.Use(app)
	core.Must(app.Event("fulfil", fn, opts...))
	if err := app.Start(context.Background(), os.LookupEnv); err != nil {
		t.Fatal(err)
	}
	return app
}
