package gcf

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/gcp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/slogx"
)

// TestSameAsContainerPath sends the same requests to the source-deploy path
// (Register on functions-framework-go's server) and to the container path
// (gcp.Handler) and checks that both answer alike — status, CloudEvents and
// Google headers, body — and hand the function the same event. The cases
// are those where functions-framework-go's CloudEvent handler used to
// differ: replies, percent-decoded ce- values, legacy events and Pub/Sub
// push envelopes.
func TestSameAsContainerPath(t *testing.T) {
	ff := ffServer(t)
	own := &recorder{}
	h, err := gcp.Handler(newApp(own), gcp.WithLogger(slog.New(slogx.Discard)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	pct := binaryHeaders("pct")
	pct["Ce-Subject"] = "caf%C3%A9%20au%20lait"
	tests := []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"binary", binaryHeaders("same-ok"), pubsubBody},
		{"reply", binaryHeaders("reply"), pubsubBody},
		{"percent-encoded subject", pct, pubsubBody},
		{"structured", map[string]string{"Content-Type": "application/cloudevents+json"}, `{"specversion":"1.0","id":"s-2","source":"//storage.googleapis.com/projects/_/buckets/b","type":"google.cloud.storage.object.v1.finalized","subject":"objects/o","data":{"name":"o"}}`},
		{"legacy storage event", map[string]string{"Content-Type": "application/json"}, string(readFixture(t, "storage-legacy-input.json"))},
		{"push envelope", map[string]string{"Content-Type": "application/json"}, `{"message":{"data":"aGk=","messageId":"push-2","publishTime":"2026-01-02T03:04:05Z"},"subscription":"projects/p/subscriptions/s"}`},
		{"retryable error", binaryHeaders("fail"), pubsubBody},
		{"permanent error", binaryHeaders("permanent"), pubsubBody},
		{"panic", binaryHeaders("panic"), pubsubBody},
		{"invalid CloudEvent", map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "x", "Ce-Type": "t", "Content-Type": "application/json"}, "{}"},
		{"batch refused", map[string]string{"Content-Type": "application/cloudevents-batch+json"}, "[]"},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]string{"Function-Execution-Id": "same-" + string(rune('a'+i))}
			for k, v := range tt.header {
				header[k] = v
			}
			ffBefore, ownBefore := ffRec.count(), own.count()
			a := answer(t, client, newRequest(t, ff+"/ev", header, []byte(tt.body)))
			b := answer(t, client, newRequest(t, srv.URL+"/ev", header, []byte(tt.body)))
			if a.status != b.status || !bytes.Equal(a.body, b.body) {
				t.Errorf("source deploy answers %d %q\ncontainer answers     %d %q", a.status, a.body, b.status, b.body)
			}
			for _, k := range a.keys(b) {
				if a.header.Get(k) != b.header.Get(k) {
					t.Errorf("header %s: source deploy %q, container %q", k, a.header.Get(k), b.header.Get(k))
				}
			}
			ffSaw, ownSaw := ffRec.count()-ffBefore, own.count()-ownBefore
			if ffSaw != ownSaw {
				t.Fatalf("the function saw %d events on the source-deploy path, %d on the container path", ffSaw, ownSaw)
			}
			if ffSaw == 1 {
				ffRec.mu.Lock()
				x, _ := cejson.Marshal(ffRec.events[ffBefore])
				ffRec.mu.Unlock()
				own.mu.Lock()
				y, _ := cejson.Marshal(own.events[ownBefore])
				own.mu.Unlock()
				if !bytes.Equal(x, y) {
					t.Errorf("events differ:\nsource deploy %s\ncontainer     %s", x, y)
				}
			}
		})
	}
	// What used to be lost on the source-deploy path.
	t.Run("reply reaches the caller", func(t *testing.T) {
		a := answer(t, client, newRequest(t, ff+"/ev", binaryHeaders("reply"), []byte(pubsubBody)))
		if a.status != 200 || a.header.Get("Ce-Id") != "reply.reply" || string(a.body) != "réponse" {
			t.Errorf("answer %d %v %q", a.status, a.header, a.body)
		}
	})
	t.Run("subject percent-decoded, invocation id from the header", func(t *testing.T) {
		before := ffRec.count()
		h := binaryHeaders("pct-2")
		h["Ce-Subject"], h["Function-Execution-Id"] = "a%20b", "exec-77"
		if a := answer(t, client, newRequest(t, ff+"/ev", h, []byte(pubsubBody))); a.status != 204 {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		ffRec.mu.Lock()
		defer ffRec.mu.Unlock()
		if e, inv := ffRec.events[before], ffRec.invs[before]; e.Subject() != "a b" || inv.ID != "exec-77" {
			t.Errorf("subject %q, invocation id %q", e.Subject(), inv.ID)
		}
	})
	t.Run("push envelope keeps its subscription", func(t *testing.T) {
		before := ffRec.count()
		body := `{"message":{"data":"aGk=","messageId":"push-3"},"subscription":"projects/p/subscriptions/s"}`
		if a := answer(t, client, newRequest(t, ff+"/ev", map[string]string{"Content-Type": "application/json"}, []byte(body))); a.status != 204 {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		ffRec.mu.Lock()
		defer ffRec.mu.Unlock()
		e := ffRec.events[before]
		if e.Source() != "//pubsub.googleapis.com/projects/p/subscriptions/s" || string(e.Data()) != body {
			t.Errorf("source %q, data %s", e.Source(), e.Data())
		}
	})
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// keys returns the CloudEvents and Google headers of a and b.
func (a reply) keys(b reply) []string {
	var out []string
	for _, h := range []http.Header{a.header, b.header} {
		for k := range h {
			if strings.HasPrefix(k, "Ce-") || k == "Content-Type" || strings.HasPrefix(k, "X-Google-") {
				out = append(out, k)
			}
		}
	}
	return out
}

func answer(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}
