package sample

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/gcp"
)

// Google returns the CloudEvents Eventarc posts to a Cloud Functions
// function for trigger, one per record, before the provider normalizes
// them: a Pub/Sub message (pubsub), the message a polyfn Cloud Scheduler
// job publishes (schedule: the attributes polyfnkind=schedule.fired and
// polyfnschedule=function), a Cloud Storage object (storage), a Firestore
// document (firestore). function names the scheduler job.
func Google(trigger, function string, recs []Record) ([]core.Event, error) {
	recs = ids("invoke", one(recs))
	evs := make([]core.Event, 0, len(recs))
	for i, r := range recs {
		now := time.Now().UTC()
		id := fmt.Sprint(now.UnixNano() + int64(i))
		var source, subject, ceType string
		var body any
		switch trigger {
		case "pubsub", "schedule":
			ceType, source = gcp.TypePubSubMessagePublished, "//pubsub.googleapis.com/projects/polyfn-invoke/topics/invoke"
			attrs := map[string]string{"origin": "polyfn-invoke"}
			if trigger == "schedule" {
				source = "//pubsub.googleapis.com/projects/polyfn-invoke/topics/" + function + "-schedule"
				attrs = map[string]string{gcp.ScheduleAttribute: string(core.KindScheduleFired), gcp.ScheduleJobAttribute: function}
			}
			msg := map[string]any{"data": r.Data, "messageId": id, "publishTime": now.Format(time.RFC3339Nano), "attributes": attrs}
			if r.Key != "" {
				msg["orderingKey"] = r.Key
			}
			body = map[string]any{"message": msg, "subscription": "projects/polyfn-invoke/subscriptions/invoke"}
		case "storage":
			ceType, source, subject = gcp.TypeStorageObjectFinalized, "//storage.googleapis.com/projects/_/buckets/polyfn-invoke", "objects/payload"
			body = map[string]any{"bucket": "polyfn-invoke", "name": "payload", "size": fmt.Sprint(len(r.Data)),
				"contentType": ContentType(r.Data), "timeCreated": now.Format(time.RFC3339Nano), "generation": id}
		case "firestore":
			ceType, source, subject = gcp.TypeFirestoreDocumentPrefix+"written", "//firestore.googleapis.com/projects/polyfn-invoke/databases/(default)", "documents/invoke/doc-1"
			body = map[string]any{"value": map[string]any{"name": "projects/polyfn-invoke/databases/(default)/documents/invoke/doc-1",
				"fields": map[string]any{"payload": map[string]string{"stringValue": string(r.Data)}}, "createTime": now.Format(time.RFC3339Nano)}}
		default:
			return nil, fmt.Errorf("trigger %q is not a Google trigger (%v, schedule)", trigger, NamesOf("gcp"))
		}
		b, _ := json.Marshal(body)
		e := core.NewEvent(id, source, ceType, "application/json", b)
		if subject != "" {
			e.SetSubject(subject)
		}
		e.SetTime(now)
		evs = append(evs, e)
	}
	return evs, nil
}
