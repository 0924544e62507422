package sample

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/polyfn/polyfn/core"
)

// ScheduleJobAttribute is the Pub/Sub message attribute naming the Cloud
// Scheduler job (the function) on a schedule tick; with the attribute
// core.KindExtension set to core.KindScheduleFired it marks the tick. Both
// are what providers/gcp reads (gcp.ScheduleJobAttribute,
// gcp.ScheduleAttribute); cmd/polyfn's tests check that they agree.
const ScheduleJobAttribute = "polyfnschedule"

// Google returns the CloudEvents Eventarc posts to a Cloud Functions
// function for trigger, one per record, before the provider normalizes
// them, with resources of the Google Cloud project project: a Pub/Sub
// message on the topic named after function (pubsub), the message the Cloud Scheduler job of function
// publishes as the gcloud manifest deploys it (schedule), a Cloud Storage
// object (storage), a Firestore document (firestore).
func Google(project, trigger, function string, recs []Record) ([]core.Event, error) {
	recs = WithIDs(project, recs)
	evs := make([]core.Event, 0, len(recs))
	now := time.Now().UTC()
	for i, r := range recs {
		id := fmt.Sprint(now.UnixNano() + int64(i))
		var source, subject string
		var body any
		switch trigger {
		case "pubsub", "schedule":
			source = "//pubsub.googleapis.com/projects/" + project + "/topics/" + function
			attrs := map[string]string{"origin": project}
			if trigger == "schedule" {
				source = "//pubsub.googleapis.com/projects/" + project + "/topics/" + function + "-schedule"
				attrs = map[string]string{core.KindExtension: string(core.KindScheduleFired), ScheduleJobAttribute: function}
			}
			msg := map[string]any{"data": r.Data, "messageId": r.ID, "publishTime": now.Format(time.RFC3339Nano), "attributes": attrs}
			if r.Key != "" {
				msg["orderingKey"] = r.Key
			}
			body = map[string]any{"message": msg, "subscription": "projects/" + project + "/subscriptions/" + function}
		case "storage":
			source, subject = "//storage.googleapis.com/projects/_/buckets/"+project, "objects/payload"
			body = map[string]any{"bucket": project, "name": "payload", "size": fmt.Sprint(len(r.Data)),
				"contentType": ContentType(r.Data), "timeCreated": now.Format(time.RFC3339Nano), "generation": id}
		case "firestore":
			doc := "projects/" + project + "/databases/(default)/documents/" + project + "/doc-1"
			source, subject = "//firestore.googleapis.com/projects/"+project+"/databases/(default)", "documents/"+project+"/doc-1"
			body = map[string]any{"value": map[string]any{"name": doc,
				"fields": map[string]any{"payload": map[string]string{"stringValue": string(r.Data)}}, "createTime": now.Format(time.RFC3339Nano)}}
		default:
			return nil, fmt.Errorf("trigger %q is not a Google trigger (%v, schedule)", trigger, NamesOf("gcp"))
		}
		ceType := triggers["pubsub"].Type
		if trigger == "storage" || trigger == "firestore" {
			ceType = triggers[trigger].Type
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
