package gcp

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestScheduleThroughPubSub: a message the deploy script's Cloud Scheduler
// job publishes (attribute polyfnkind=schedule.fired) reaches the function
// as schedule.fired; other messages stay topic messages.
func TestScheduleThroughPubSub(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]string
		body  string
		want  core.EventKind
	}{
		{"scheduler job", map[string]string{ScheduleAttribute: "schedule.fired", ScheduleJobAttribute: "nightly-report"}, "{}", core.KindScheduleFired},
		{"plain message", map[string]string{"origin": "app"}, `{"kind":"schedule.fired"}`, core.KindTopicMessage},
		{"other kind", map[string]string{ScheduleAttribute: "queue.message"}, "{}", core.KindTopicMessage},
		{"no attributes", nil, "schedule.fired", core.KindTopicMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := json.Marshal(map[string]any{
				"message":      map[string]any{"data": base64.StdEncoding.EncodeToString([]byte(tt.body)), "messageId": "m-1", "attributes": tt.attrs},
				"subscription": "projects/p/subscriptions/s",
			})
			e := core.NewEvent("m-1", "//pubsub.googleapis.com/projects/p/topics/nightly-report-schedule", TypePubSubMessagePublished, "application/json", data)
			got, err := FromCloudEvent(e)
			if err != nil {
				t.Fatal(err)
			}
			if k := core.EventKindOf(got); k != tt.want {
				t.Fatalf("kind %q, want %q", k, tt.want)
			}
			if k := core.EventKindOf(e); k != "" {
				t.Fatalf("FromCloudEvent changed its input (kind %q)", k)
			}
			if msg, err := PubSubMessageOf(got); err != nil || string(msg.Data) != tt.body {
				t.Fatalf("the message stays readable: %q, %v", msg.Data, err)
			}
		})
	}
}
