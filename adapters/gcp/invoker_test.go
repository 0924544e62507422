package gcp

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

func TestInvoker(t *testing.T) {
	pubsub := func(id, body string) core.Event {
		return core.NewEvent(id, "//pubsub.googleapis.com/projects/p/topics/t", gcpprov.TypePubSubMessagePublished, "application/json", []byte(body))
	}
	tests := []struct {
		name       string
		opts       []Option
		event      core.Event
		wantStatus int
		wantBody   string // prefix
		wantLog    string
		wantCalled bool
	}{
		{name: "ok", event: pubsub("ok", pubsubBody), wantStatus: 200, wantCalled: true},
		{name: "reply dropped", event: pubsub("reply", pubsubBody), wantStatus: 200, wantCalled: true,
			wantLog: `"severity":"DEBUG","message":"reply event dropped: functions-framework-go's CloudEvent functions have no reply","function":"ev","invocation_id":`},
		{name: "retryable", event: pubsub("fail", pubsubBody), wantStatus: 500, wantBody: `{"error":"the function failed","kind":"retryable","invocation_id":"`, wantCalled: true,
			wantLog: `"message":"function failed","function":"ev"`},
		{name: "permanent", event: pubsub("permanent", pubsubBody), wantStatus: 422, wantBody: `{"error":"the function failed","kind":"permanent"`, wantCalled: true},
		{name: "permanent status", opts: []Option{WithPermanentErrorStatus(http.StatusAccepted)}, event: pubsub("permanent", pubsubBody), wantStatus: 202, wantCalled: true},
		{name: "error details", opts: []Option{WithErrorDetails(true)}, event: pubsub("fail", pubsubBody), wantStatus: 500, wantBody: `{"error":"boom"`, wantCalled: true},
		{name: "panic", event: pubsub("panic", pubsubBody), wantStatus: 500, wantBody: `{"error":"the function panicked"`, wantCalled: true},
		{name: "invalid inner event", event: pubsub("bad", `{"message":{"data":"e30=","messageId":"1","attributes":{"ce-specversion":"1.0"}}}`), wantStatus: 400,
			wantBody: `{"error":"gcp: invalid event: Pub/Sub message bad carries an invalid CloudEvent`, wantLog: `"message":"request rejected","function":"ev","error":"gcp: invalid event: Pub/Sub message bad carries an invalid CloudEvent: invalid CloudEvent: missing required attribute id","status":400`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			rec := &recorder{}
			invoker, err := NewInvoker(testApp(t, rec), "ev", append([]Option{WithLogger(NewLogger(&logs, "debug"))}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			status, body := invoker(context.Background(), tt.event)
			if status != tt.wantStatus || !strings.HasPrefix(body, tt.wantBody) {
				t.Fatalf("got %d %q, want %d %q...", status, body, tt.wantStatus, tt.wantBody)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %s:\n%s", tt.wantLog, logs.String())
			}
			if len(rec.events) > 0 != tt.wantCalled {
				t.Fatalf("function called %d times", len(rec.events))
			}
			if !tt.wantCalled {
				return
			}
			e, inv := rec.last(t)
			if k := core.EventKindOf(e); k != core.KindTopicMessage || inv.Trigger != core.TriggerTopic || inv.Provider != "gcp" || inv.ID == "" || inv.Deadline.IsZero() {
				t.Errorf("event kind %q, invocation %+v", k, inv)
			}
		})
	}
}

func TestNewInvokerSelects(t *testing.T) {
	tests := []struct {
		name, fn, want string
	}{
		{"unknown", "nope", `no function "nope"`},
		{"HTTP function", "web", `function "web" is an http function`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewInvoker(testApp(t, &recorder{}), tt.fn)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
