package invoke

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func TestServeEvents(t *testing.T) {
	reply := func(id string) *core.Event {
		e := core.NewEvent(id, "/r", "com.example.reply", "", nil)
		return &e
	}
	handler := func(_ context.Context, e core.Event) (*core.Event, error) {
		switch e.ID() {
		case "bad-reply":
			return reply(""), nil // no id: not a valid event
		case "fail":
			return nil, core.Permanentf("the order has no items")
		case "quiet":
			return nil, nil
		}
		return reply("re-" + e.ID()), nil
	}
	decode := func(ids ...string) Decoder {
		return func(*http.Request, []byte) ([]core.Event, bool, error) {
			var evs []core.Event
			for _, id := range ids {
				evs = append(evs, core.NewEvent(id, "/s", "com.example.t", "", nil))
			}
			return evs, len(ids) > 1, nil
		}
	}
	failing := func(*http.Request, []byte) ([]core.Event, bool, error) {
		return nil, false, errors.New("no ce-id header")
	}
	tests := []struct {
		name       string
		cfg        Config
		body       string
		dec        Decoder
		wantStatus int
		wantBody   string
	}{
		{"reply", Config{}, "x", decode("e1"), 200, ""},
		{"no reply", Config{}, "x", decode("quiet"), 204, ""},
		{"invalid reply", Config{}, "x", decode("bad-reply"), 500, `{"error":"the function failed","kind":"permanent","invocation_id":"i-1"}`},
		{"permanent failure", Config{}, "x", decode("fail"), 422, `{"error":"the function failed","kind":"permanent","invocation_id":"i-1"}`},
		{"exposed error", Config{ExposeErrors: true}, "x", decode("fail"), 422, `{"error":"the order has no items","kind":"permanent","invocation_id":"i-1"}`},
		{"permanent status", Config{PermanentStatus: 202}, "x", decode("fail"), 202, ""},
		{"batch", Config{}, "x", decode("a", "quiet", "b"), 200, ""},
		{"batch failure", Config{}, "x", decode("a", "fail"), 422, `{"error":"1 of 2 events failed","kind":"permanent","invocation_id":"i-1","failed":[{"index":1,"id":"fail","kind":"permanent","error":"the function failed"}]}`},
		{"undecodable", Config{}, "x", failing, 400, `{"error":"no ce-id header","kind":"permanent","invocation_id":"i-1"}`},
		{"no event", Config{}, "x", decode(), 400, `{"error":"the request carries no event","kind":"permanent","invocation_id":"i-1"}`},
		{"over the limit", Config{MaxBodyBytes: 4}, "12345", decode("e1"), 413, `{"error":"request body too large: 5 bytes exceed the limit of 4 bytes","kind":"permanent","invocation_id":"i-1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := newFunction(t, tt.cfg, func(a *core.App) { core.Must(a.Event("f", handler)) })
			w := httptest.NewRecorder()
			fn.ServeEvents(w, httptest.NewRequest("POST", "/f", strings.NewReader(tt.body)), Start{ID: "i-1"}, tt.dec)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantBody != "" && strings.TrimSpace(w.Body.String()) != tt.wantBody {
				t.Fatalf("body %s\nwant %s", w.Body, tt.wantBody)
			}
			switch tt.name {
			case "reply":
				if w.Header().Get("Ce-Id") != "re-e1" {
					t.Fatalf("reply headers %v", w.Header())
				}
			case "batch":
				if w.Header().Get("Content-Type") != "application/cloudevents-batch+json" || !strings.Contains(w.Body.String(), `"id":"re-a"`) || !strings.Contains(w.Body.String(), `"id":"re-b"`) {
					t.Fatalf("batch replies %v %s", w.Header(), w.Body)
				}
			}
		})
	}
}
