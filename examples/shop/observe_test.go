package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/examples/shop/shop"
	"github.com/polyfn/polyfn/internal/testproc"
)

// TestObservabilityContractLocal is issue 12's local contract on the built
// binary: with OTEL_EXPORTER_OTLP_ENDPOINT set (http/protobuf), POST
// /fulfil with a traceparent gives an exported span in that trace, and a
// JSON log line naming fulfil with that trace id.
func TestObservabilityContractLocal(t *testing.T) {
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		parent  = "00f067aa0ba902b7"
	)
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	app, err := shop.New(shop.Config{})
	if err != nil {
		t.Fatal(err)
	}
	port := testproc.FreePort(t)
	env := []string{"SHOP_API_KEY=k-123", "PORT=" + port, "POLYFN_IDEMPOTENCY_URL=",
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + srv.URL, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_BSP_SCHEDULE_DELAY=10", "OTEL_METRIC_EXPORT_INTERVAL=60000", "OTEL_TRACES_SAMPLER=parentbased_always_on"}
	for _, r := range app.Resources() {
		env = append(env, r.EnvVar()+"=") // in memory
	}
	base := "http://127.0.0.1:" + port
	p := testproc.Start(t, testproc.Build(t, "."), env...)
	p.WaitHTTP(t, base+"/healthz", 10*time.Second)
	c := &http.Client{Timeout: 5 * time.Second}
	post := func(path, id, typ, body string, extra map[string]string) {
		t.Helper()
		req, err := http.NewRequest("POST", base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{"X-Api-Key": "k-123", "Content-Type": "application/json", "Ce-Specversion": "1.0",
			"Ce-Id": id, "Ce-Source": "/test", "Ce-Type": typ} {
			req.Header.Set(k, v)
		}
		for k, v := range extra {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST %s: %d %s\n%s", path, resp.StatusCode, b, p.Logs())
		}
	}
	post("/inventory", "stock-9", "com.example.shop.stock.changed", `{"sku":"A","seq":1,"delta":5}`, nil)
	post("/fulfil", "order-9", shop.TypeOrderAccepted, `{"id":"o9","customer":"ada","items":[{"sku":"A","qty":1}]}`,
		map[string]string{"Traceparent": "00-" + traceID + "-" + parent + "-01"})

	// The span: exported within the batcher's delay, or at the latest on
	// SIGTERM, which flushes.
	var span *otlpSpan
	deadline := time.Now().Add(5 * time.Second)
	for span == nil && time.Now().Before(deadline) {
		span = rcv.find("fulfil", traceID)
		if span == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := p.Stop(t, 10*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.Logs())
	}
	if span == nil {
		span = rcv.find("fulfil", traceID)
	}
	if span == nil {
		t.Fatalf("no span fulfil in trace %s among %v (receiver errors: %v)\n%s", traceID, rcv.names(), rcv.errs, p.Logs())
	}
	if hex.EncodeToString(span.parent) != parent {
		t.Errorf("span fulfil's parent %x, want the traceparent's %s", span.parent, parent)
	}
	found := false
	for _, l := range strings.Split(p.Logs(), "\n") {
		var line map[string]any
		if json.Unmarshal([]byte(l), &line) != nil {
			continue
		}
		if line["function"] == "fulfil" && line["trace_id"] == traceID && line["msg"] == "order fulfilled" {
			found = true
		}
	}
	if !found {
		t.Errorf("no JSON line naming fulfil with trace %s:\n%s", traceID, p.Logs())
	}
}

// otlpReceiver is an OTLP/HTTP receiver of traces: it keeps the name, ids
// and parent of each span it is sent, read from the protobuf encoding.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []otlpSpan
	errs  []error
}

type otlpSpan struct {
	name                  string
	trace, parent, spanID []byte
}

func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
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
	if err == nil && req.Header.Get("Content-Type") != "application/x-protobuf" {
		err = errors.New("not application/x-protobuf")
	}
	var spans []otlpSpan
	if err == nil && req.URL.Path == "/v1/traces" {
		spans, err = readSpans(b)
	}
	r.mu.Lock()
	r.spans = append(r.spans, spans...)
	if err != nil {
		r.errs = append(r.errs, err)
	}
	r.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// find returns the span named name in trace (hexadecimal), or nil.
func (r *otlpReceiver) find(name, trace string) *otlpSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.spans {
		if s := &r.spans[i]; s.name == name && hex.EncodeToString(s.trace) == trace {
			return s
		}
	}
	return nil
}

func (r *otlpReceiver) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n []string
	for _, s := range r.spans {
		n = append(n, s.name+"@"+hex.EncodeToString(s.trace))
	}
	return n
}

// readSpans reads the spans of an ExportTraceServiceRequest:
// resource_spans (1) → scope_spans (2) → spans (2), each with trace_id
// (1), span_id (2), parent_span_id (4) and name (5).
func readSpans(b []byte) ([]otlpSpan, error) {
	var spans []otlpSpan
	err := fields(b, func(n int, rs []byte) error {
		if n != 1 {
			return nil
		}
		return fields(rs, func(n int, ss []byte) error {
			if n != 2 {
				return nil
			}
			return fields(ss, func(n int, sp []byte) error {
				if n != 2 {
					return nil
				}
				var s otlpSpan
				err := fields(sp, func(n int, v []byte) error {
					switch n {
					case 1:
						s.trace = v
					case 2:
						s.spanID = v
					case 4:
						s.parent = v
					case 5:
						s.name = string(v)
					}
					return nil
				})
				spans = append(spans, s)
				return err
			})
		})
	})
	return spans, err
}

// fields calls f with the number and bytes of each length-delimited field
// of the protobuf message b, skipping the others.
func fields(b []byte, f func(n int, v []byte) error) error {
	for len(b) > 0 {
		key, k := binary.Uvarint(b)
		if k <= 0 {
			return errors.New("bad field key")
		}
		b = b[k:]
		switch key & 7 {
		case 0: // varint
			_, k = binary.Uvarint(b)
			if k <= 0 {
				return errors.New("bad varint")
			}
			b = b[k:]
		case 1: // 64-bit
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			b = b[8:]
		case 5: // 32-bit
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			b = b[4:]
		case 2: // length-delimited
			l, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < l {
				return errors.New("bad length")
			}
			if err := f(int(key>>3), bytes.Clone(b[k:k+int(l)])); err != nil {
				return err
			}
			b = b[k+int(l):]
		default:
			return errors.New("unknown wire type")
		}
	}
	return nil
}
