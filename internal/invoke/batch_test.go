package invoke

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
)

// tinyBatch returns a CloudEvents batch of n small events.
func tinyBatch(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"specversion":"1.0","id":"%d","source":"/s","type":"t"}`, i)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func batchRequest(body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/f", bytes.NewReader(body))
	r.Header.Set("Content-Type", cehttp.BatchContentType)
	return r
}

// TestBatchCap: a CloudEvents batch over the cap is refused with 413 and
// an error that names the cap, on the binding's own decoder and on a
// provider's; a batch at the cap runs.
func TestBatchCap(t *testing.T) {
	many := func(n int) Decoder {
		return func(*http.Request, []byte) ([]core.Event, bool, error) {
			evs := make([]core.Event, n)
			for i := range evs {
				evs[i] = core.NewEvent(fmt.Sprint(i), "/s", "t", "", nil)
			}
			return evs, true, nil
		}
	}
	tests := []struct {
		name       string
		cfg        Config
		events     int
		dec        Decoder
		wantStatus int
		wantError  string
	}{
		{"default cap, at it", Config{}, DefaultMaxBatchEvents, nil, 204, ""},
		{"default cap, over it", Config{}, DefaultMaxBatchEvents + 1, nil, 413, "too many events in one batch: more than the limit of 1000 events"},
		{"configured cap, at it", Config{MaxBatchEvents: 3}, 3, nil, 204, ""},
		{"configured cap, over it", Config{MaxBatchEvents: 3}, 4, nil, 413, "more than the limit of 3 events"},
		{"configured above the default", Config{MaxBatchEvents: 2000}, 1500, nil, 204, ""},
		{"a provider's decoder over it", Config{MaxBatchEvents: 3}, 4, many(4), 413, "4, more than the limit of 3 events"},
		{"a provider's decoder at it", Config{MaxBatchEvents: 3}, 3, many(3), 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran atomic.Int32
			fn := newFunction(t, tt.cfg, func(a *core.App) {
				core.Must(a.Event("f", func(context.Context, core.Event) (*core.Event, error) {
					ran.Add(1)
					return nil, nil
				}))
			})
			w := httptest.NewRecorder()
			fn.ServeEvents(w, batchRequest(tinyBatch(tt.events)), Start{ID: "i-1"}, tt.dec)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantError != "" && !strings.Contains(w.Body.String(), tt.wantError) {
				t.Fatalf("body %s, want an error containing %q", w.Body, tt.wantError)
			}
			if want := map[bool]int32{true: int32(tt.events), false: 0}[w.Code == 204]; ran.Load() != want {
				t.Fatalf("%d events ran, want %d", ran.Load(), want)
			}
		})
	}
}

// TestBatchCapMemory: a 10 MiB batch of some 190,000 tiny events, the
// attack of issue 10, is refused at the default cap having allocated
// little more than the body itself: no event is decoded.
func TestBatchCapMemory(t *testing.T) {
	body := tinyBatch(190_000)
	if len(body) < 9<<20 {
		t.Fatalf("the batch is only %d bytes", len(body))
	}
	fn := newFunction(t, Config{}, func(a *core.App) { core.Must(a.Event("f", nop)) })
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	w := httptest.NewRecorder()
	fn.ServeEvents(w, batchRequest(body), Start{ID: "i-1"}, nil)
	runtime.ReadMemStats(&m1)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	// The body is read into one buffer of its size; what decoding adds
	// must be small beside it.
	if got, limit := m1.TotalAlloc-m0.TotalAlloc, uint64(len(body))*5/4; got > limit {
		t.Fatalf("refusing the batch allocated %d bytes for a %d-byte body, over %d", got, len(body), limit)
	}
}

func TestFromEnvMaxBatchEvents(t *testing.T) {
	tests := []struct {
		val     string
		want    int
		wantErr string
	}{
		{"", 0, ""},
		{"5000", 5000, ""},
		{"0", 0, `POLYFN_MAX_BATCH_EVENTS="0" is not a positive number of events`},
		{"-3", 0, `POLYFN_MAX_BATCH_EVENTS="-3"`},
		{"many", 0, `POLYFN_MAX_BATCH_EVENTS="many"`},
	}
	for _, tt := range tests {
		t.Run(tt.val, func(t *testing.T) {
			t.Setenv(EnvMaxBatchEvents, tt.val)
			e, err := FromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("FromEnv() error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || e.MaxBatchEvents != tt.want {
				t.Fatalf("FromEnv() = %+v, %v; want MaxBatchEvents %d", e, err, tt.want)
			}
		})
	}
	if got := New(Config{}).MaxBatchEvents(); got != DefaultMaxBatchEvents {
		t.Fatalf("default MaxBatchEvents %d, want %d", got, DefaultMaxBatchEvents)
	}
	if got := New(Config{MaxBatchEvents: 7}).MaxBatchEvents(); got != 7 {
		t.Fatalf("MaxBatchEvents %d, want 7", got)
	}
}

// TestRejectedBodies: a body that carries no valid CloudEvent is the
// caller's permanent error (400, kind permanent), never a retryable
// failure of the function, and the function does not run: a batch of
// null, and binary-mode data that its JSON media type misdescribes.
func TestRejectedBodies(t *testing.T) {
	binary := func(ct, body string) *http.Request {
		r := httptest.NewRequest("POST", "/f", strings.NewReader(body))
		r.Header.Set("ce-specversion", "1.0")
		r.Header.Set("ce-id", "1")
		r.Header.Set("ce-source", "/s")
		r.Header.Set("ce-type", "t")
		r.Header.Set("Content-Type", ct)
		return r
	}
	tests := []struct {
		name string
		r    *http.Request
		want string
	}{
		{"batch of null", batchRequest([]byte("null")), "batch JSON: want an array of events, got null"},
		{"batch of an object", batchRequest([]byte("{}")), "want an array of events, got an object"},
		{"batch holding null", batchRequest([]byte("[null]")), "batch event 0: invalid CloudEvent: want an object, got null"},
		{"empty batch", batchRequest([]byte("[]")), "the request carries no event"},
		{"binary, JSON type, not JSON", binary("application/json", "not json"), `data is not valid JSON, which its media type \"application/json\" announces`},
		{"binary, +json type, invalid UTF-8", binary("application/vnd.x+json", "\"\xff\""), "data is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran := false
			fn := newFunction(t, Config{}, func(a *core.App) {
				core.Must(a.Event("f", func(context.Context, core.Event) (*core.Event, error) {
					ran = true
					return nil, nil
				}))
			})
			w := httptest.NewRecorder()
			fn.ServeEvents(w, tt.r, Start{ID: "i-1"}, nil)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tt.want) || !strings.Contains(w.Body.String(), `"kind":"permanent"`) {
				t.Fatalf("%d %s, want 400, kind permanent, containing %q", w.Code, w.Body, tt.want)
			}
			if ran {
				t.Fatal("the function ran")
			}
		})
	}
}
