package gcp

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// A function's log line names the trace the request or the event carries,
// in Cloud Logging's keys, and its reply carries the trace onward.
func TestTraceInLogsAndReply(t *testing.T) {
	const (
		trace = "4bf92f3577b34da6a3ce929d0e0e4736"
		tp    = "00-" + trace + "-00f067aa0ba902b7-01"
	)
	tests := []struct {
		name      string
		header    map[string]string
		wantTrace string // the trace id the line names
		wantSpan  string
		wantReply string // the reply's traceparent
	}{
		{"traceparent", map[string]string{"Traceparent": tp}, trace, "00f067aa0ba902b7", tp},
		{"ce-traceparent wins over the delivery's", map[string]string{"Traceparent": "00-11111111111111111111111111111111-2222222222222222-01", "Ce-Traceparent": tp}, trace, "00f067aa0ba902b7", tp},
		{"X-Cloud-Trace-Context", map[string]string{"X-Cloud-Trace-Context": trace + "/255;o=1"}, trace, "00000000000000ff", "00-" + trace + "-00000000000000ff-01"},
		{"bad traceparent falls back", map[string]string{"Traceparent": "junk", "X-Cloud-Trace-Context": trace + "/1"}, trace, "0000000000000001", "00-" + trace + "-0000000000000001-00"},
		{"none", nil, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			app := core.NewApp()
			core.Must(app.Event("ev", func(ctx context.Context, e core.Event) (*core.Event, error) {
				core.InvocationFrom(ctx).Logger.InfoContext(ctx, "handled", "message", "a user key")
				r := core.NewEvent("r-1", "/reply", "com.example.reply", "", nil)
				return &r, nil
			}))
			h, err := Handler(app, WithLogger(slogNew(&buf, "proj-1")), WithTarget("ev"))
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("POST", "/", strings.NewReader(pubsubBody))
			for k, v := range binaryHeaders("m-1") {
				req.Header.Set(k, v)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Ce-Traceparent"); got != tt.wantReply {
				t.Errorf("reply traceparent %q, want %q", got, tt.wantReply)
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("%v: %s", err, buf.String())
			}
			want := map[string]any{
				"severity": "INFO", "message": "handled", "attr_message": "a user key",
				"function": "ev", "event_id": "m-1", "event_type": "google.cloud.pubsub.topic.v1.messagePublished",
			}
			if tt.wantTrace != "" {
				want["logging.googleapis.com/trace"] = "projects/proj-1/traces/" + tt.wantTrace
				want["logging.googleapis.com/spanId"] = tt.wantSpan
			}
			for k, v := range want {
				if line[k] != v {
					t.Errorf("%s = %v, want %v in %s", k, line[k], v, buf.String())
				}
			}
			if _, has := line["logging.googleapis.com/trace"]; tt.wantTrace == "" && has {
				t.Errorf("a trace without one: %s", buf.String())
			}
		})
	}
}

func TestProjectID(t *testing.T) {
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/computeMetadata/v1/project/project-id" || r.Header.Get("Metadata-Flavor") != "Google" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("meta-proj"))
	}))
	defer meta.Close()
	host := strings.TrimPrefix(meta.URL, "http://")
	tests := []struct {
		name, project, service, host, want string
	}{
		{"env", "env-proj", "svc", host, "env-proj"},
		{"metadata on Cloud Run", "", "svc", host, "meta-proj"},
		{"not on Google", "", "", host, ""},
		{"metadata unreachable", "", "svc", "127.0.0.1:1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvProject, tt.project)
			t.Setenv("K_SERVICE", tt.service)
			t.Setenv("GCE_METADATA_HOST", tt.host)
			if got := ProjectID(context.Background()); got != tt.want {
				t.Errorf("ProjectID = %q, want %q", got, tt.want)
			}
		})
	}
}

func slogNew(w *bytes.Buffer, project string) *slog.Logger {
	return slog.New(NewLogHandler(w, project, nil))
}
