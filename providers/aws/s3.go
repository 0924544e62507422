package aws

import (
	"encoding/json"
	"net/url"
	"strings"

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

// decodeS3 reads an S3 notification: one CloudEvent per record, following
// the CloudEvents S3 adapter: type com.amazonaws.s3.<eventName>, source
// aws:s3.<region>.<bucket>, subject the decoded key, id
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
	b := &Batch{Source: SourceS3, Events: make([]core.Event, len(ev.Records)), recs: make([]record, len(ev.Records))}
	var bld builder
	for i, raw := range ev.Records {
		var r s3Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, malformed("S3 event: record %d: %s", i, jsonErr(err))
		}
		if r.EventSource != "" && r.EventSource != "aws:s3" {
			return nil, unsupported("S3 event: record %d has eventSource %q, not aws:s3", i, r.EventSource)
		}
		o := &r.S3.Object
		key, err := url.QueryUnescape(o.Key)
		if err != nil {
			key = o.Key
		}
		native := r.S3EventRecord
		native.S3 = events.S3Entity{
			SchemaVersion:   r.S3.SchemaVersion,
			ConfigurationID: r.S3.ConfigurationID,
			Bucket:          r.S3.Bucket,
			Object: events.S3Object{Key: o.Key, Size: o.Size, URLDecodedKey: key, VersionID: o.VersionID,
				ETag: o.ETag, Sequencer: o.Sequencer},
		}
		bucket := r.S3.Bucket.Name
		if bucket == "" {
			return nil, malformed("S3 event: record %d has no s3.bucket.name", i)
		}
		id := r.ResponseElements["x-amz-request-id"]
		if id2 := r.ResponseElements["x-amz-id-2"]; id2 != "" {
			id += "." + id2
		}
		if id == "" {
			id = bucket + "/" + o.Key + "@" + o.Sequencer
		}
		e, err := bld.newEvent(id, "aws:s3."+r.AWSRegion+"."+bucket, TypeS3Prefix+r.EventName)
		if err != nil {
			return nil, malformed("S3 event: record %d: %v", i, err)
		}
		switch {
		case strings.HasPrefix(r.EventName, "ObjectCreated:"):
			setKind(&e, core.KindStorageObjectCreated)
		case strings.HasPrefix(r.EventName, "ObjectRemoved:"):
			setKind(&e, core.KindStorageObjectDeleted)
		}
		setSubject(&e, key)
		if key != o.Key {
			setExt(&e, ExtS3RawKey, o.Key)
		}
		setTime(&e, r.EventTime)
		setExt(&e, ExtDataRef, (&url.URL{Scheme: "s3", Host: bucket, Path: "/" + key}).String())
		setData(&e, []byte(raw), "application/json")
		b.Events[i] = e
		b.recs[i] = record{native: &native, key: bucket + "/" + key, item: id}
	}
	return b, nil
}
