package aws

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
)

// TypeS3Prefix starts the type of an event synthesized from an S3
// notification; the eventName follows ("ObjectCreated:Put").
const TypeS3Prefix = "com.amazonaws.s3."

// s3Record decodes a notification record leniently: the object key is read
// as a plain string (events.S3Object rejects the whole event when a key
// holds an invalid escape), and the record is kept raw as the event's data.
type s3Record struct {
	events.S3EventRecord
	S3 struct {
		SchemaVersion   string          `json:"s3SchemaVersion"`
		ConfigurationID string          `json:"configurationId"`
		Bucket          events.S3Bucket `json:"bucket"`
		Object          struct {
			Key       string `json:"key"`
			Size      int64  `json:"size"`
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
			Sequencer string `json:"sequencer"`
		} `json:"object"`
	} `json:"s3"`
}

// s3Object is what every S3 event maps from, whether a notification (direct,
// through SQS or SNS) or an EventBridge event.
type s3Object struct {
	name      string // the notification's eventName: ObjectCreated:Put, ...
	region    string
	bucket    string
	key       string // as S3 sent it
	encoded   bool   // notifications form-encode keys; EventBridge does not
	sequencer string
	id        string
	time      time.Time
	data      []byte // the event's data: the record, or the EventBridge detail
}

// s3Kind returns the portable kind of an S3 event name: created for
// ObjectCreated:*, deleted for ObjectRemoved:* and LifecycleExpiration:*
// (the object is gone either way), none for the others, which pass
// through with their type.
func s3Kind(name string) core.EventKind {
	name = strings.TrimPrefix(name, "s3:")
	switch {
	case strings.HasPrefix(name, "ObjectCreated:"):
		return core.KindStorageObjectCreated
	case strings.HasPrefix(name, "ObjectRemoved:"), strings.HasPrefix(name, "LifecycleExpiration:"):
		return core.KindStorageObjectDeleted
	}
	return ""
}

// draft maps o following the CloudEvents S3 adapter: type
// com.amazonaws.s3.<eventName>, source aws:s3.<region>.<bucket>, subject
// the decoded key, dataref s3://bucket/key. It returns the decoded key.
func (o *s3Object) draft(bld *builder) (*draft, string, error) {
	if o.bucket == "" {
		return nil, "", malformed("no bucket name")
	}
	key := o.key
	if o.encoded {
		if k, err := url.QueryUnescape(o.key); err == nil {
			key = k
		}
	}
	id := o.id
	if id == "" {
		id = o.bucket + "/" + o.key + "@" + o.sequencer
	}
	e, err := bld.newEvent(id, "aws:s3."+o.region+"."+o.bucket, TypeS3Prefix+strings.TrimPrefix(o.name, "s3:"))
	if err != nil {
		return nil, "", err
	}
	e.setKind(s3Kind(o.name))
	e.setSubject(key)
	if key != o.key {
		e.setExt(ExtS3RawKey, o.key)
	}
	e.setTime(o.time)
	e.setExt(ExtDataRef, (&url.URL{Scheme: "s3", Host: o.bucket, Path: "/" + key}).String())
	e.setData(o.data, "application/json")
	return e, key, nil
}

// s3Events appends the events of an S3 notification's records to b, each
// with item as its batchItemFailures identifier and outer as the native
// record of the delivery that carried them (nil for a direct notification).
func s3Events(b *Batch, bld *builder, records []json.RawMessage, item string, outer any) error {
	for i, raw := range records {
		var r s3Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return malformed("record %d: %s", i, jsonErr(err))
		}
		if r.EventSource != "" && r.EventSource != "aws:s3" {
			return unsupported("record %d has eventSource %q, not aws:s3", i, r.EventSource)
		}
		o := &r.S3.Object
		id := r.ResponseElements["x-amz-request-id"]
		if id2 := r.ResponseElements["x-amz-id-2"]; id2 != "" {
			id += "." + id2
		}
		obj := s3Object{name: r.EventName, region: r.AWSRegion, bucket: r.S3.Bucket.Name, key: o.Key, encoded: true,
			sequencer: o.Sequencer, id: id, time: r.EventTime, data: raw}
		e, key, err := obj.draft(bld)
		if err != nil {
			return malformed("record %d: %v", i, err)
		}
		native := r.S3EventRecord
		native.S3 = events.S3Entity{
			SchemaVersion: r.S3.SchemaVersion, ConfigurationID: r.S3.ConfigurationID, Bucket: r.S3.Bucket,
			Object: events.S3Object{Key: o.Key, Size: o.Size, URLDecodedKey: key, VersionID: o.VersionID, ETag: o.ETag, Sequencer: o.Sequencer},
		}
		rec := record{native: &native, key: obj.bucket + "/" + key, item: e.ec.ID}
		if outer != nil {
			rec.native, rec.inner, rec.item = outer, &native, item
		}
		b.add(e.event(), rec)
	}
	return nil
}

// decodeS3 reads an S3 notification: one CloudEvent per record, id
// <x-amz-request-id>.<x-amz-id-2>, data the record.
func decodeS3(payload []byte) (*Batch, error) {
	var ev struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("S3 event: %s", jsonErr(err))
	}
	if len(ev.Records) == 0 {
		return nil, malformed("S3 event: no Records")
	}
	b := newBatch(SourceS3, len(ev.Records))
	var bld builder
	bld.reserve(len(ev.Records))
	if err := s3Events(b, &bld, ev.Records, "", nil); err != nil {
		return nil, prefixErr("S3 event: ", err)
	}
	return b, nil
}

// s3Notification recognises an S3 notification delivered inside another
// message (an SQS body, an SNS message): its records, and whether body is
// one. An S3 test event, which S3 sends once when a notification is set up,
// is a notification without records.
func s3Notification(body string) ([]json.RawMessage, bool) {
	t := strings.TrimLeft(body, " \t\r\n")
	if !strings.HasPrefix(t, "{") {
		return nil, false
	}
	if strings.Contains(t, `"s3:TestEvent"`) {
		var test struct {
			Service, Event string
		}
		if json.Unmarshal([]byte(t), &test) == nil && test.Service == "Amazon S3" && test.Event == "s3:TestEvent" {
			return nil, true
		}
		return nil, false
	}
	if !strings.Contains(t, `"aws:s3"`) {
		return nil, false
	}
	var n struct {
		Records []json.RawMessage `json:"Records"`
	}
	if json.Unmarshal([]byte(t), &n) != nil || len(n.Records) == 0 {
		return nil, false
	}
	var first struct {
		EventSource string `json:"eventSource"`
	}
	if json.Unmarshal(n.Records[0], &first) != nil || first.EventSource != "aws:s3" {
		return nil, false
	}
	return n.Records, true
}

// s3EventBridgeNames maps the detail-type and reason of an S3 event
// delivered by EventBridge to the notification event name it matches.
func s3EventBridgeName(detailType, reason, deletionType string) (string, bool) {
	switch detailType {
	case "Object Created":
		switch reason {
		case "PutObject":
			return "ObjectCreated:Put", true
		case "POST Object":
			return "ObjectCreated:Post", true
		case "CopyObject":
			return "ObjectCreated:Copy", true
		}
		return "ObjectCreated:" + strings.ReplaceAll(reason, " ", ""), true
	case "Object Deleted":
		marker := deletionType == "Delete Marker Created"
		switch {
		case reason == "Lifecycle Expiration" && marker:
			return "LifecycleExpiration:DeleteMarkerCreated", true
		case reason == "Lifecycle Expiration":
			return "LifecycleExpiration:Delete", true
		case marker:
			return "ObjectRemoved:DeleteMarkerCreated", true
		}
		return "ObjectRemoved:Delete", true
	case "Object Restore Initiated":
		return "ObjectRestore:Post", true
	case "Object Restore Completed":
		return "ObjectRestore:Completed", true
	case "Object Restore Expired":
		return "ObjectRestore:Delete", true
	case "Object Tags Added":
		return "ObjectTagging:Put", true
	case "Object Tags Deleted":
		return "ObjectTagging:Delete", true
	case "Object ACL Updated":
		return "ObjectAcl:Put", true
	case "Object Storage Class Changed":
		return "LifecycleTransition", true
	case "Object Access Tier Changed":
		return "IntelligentTiering", true
	}
	return "", false
}

// s3EventBridgeObject reads the detail of an S3 event delivered by
// EventBridge (source aws.s3), and whether it is one polyfn maps.
func s3EventBridgeObject(ev *events.EventBridgeEvent) (*s3Object, bool) {
	if ev.Source != "aws.s3" {
		return nil, false
	}
	var d struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			Sequencer string `json:"sequencer"`
		} `json:"object"`
		RequestID    string `json:"request-id"`
		Reason       string `json:"reason"`
		DeletionType string `json:"deletion-type"`
	}
	if json.Unmarshal(ev.Detail, &d) != nil || d.Bucket.Name == "" {
		return nil, false
	}
	name, ok := s3EventBridgeName(ev.DetailType, d.Reason, d.DeletionType)
	if !ok {
		return nil, false
	}
	return &s3Object{name: name, region: ev.Region, bucket: d.Bucket.Name, key: d.Object.Key, sequencer: d.Object.Sequencer,
		id: ev.ID, time: ev.Time, data: ev.Detail}, true
}
