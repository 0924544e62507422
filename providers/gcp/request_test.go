package gcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/golden"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// binary returns the headers of a binary-mode CloudEvent.
func binary(ceType, source string, extra ...string) http.Header {
	h := http.Header{}
	h.Set("Ce-Specversion", "1.0")
	h.Set("Ce-Id", "1234")
	h.Set("Ce-Type", ceType)
	h.Set("Ce-Source", source)
	h.Set("Ce-Time", "2021-02-05T04:06:14.109Z")
	h.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

func jsonHeader(ct string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", ct)
	return h
}

// pubsubData returns MessagePublishedData JSON for a message.
func pubsubData(t testing.TB, data []byte, attrs map[string]string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"subscription": "projects/p/subscriptions/s",
		"message": map[string]any{
			"data": base64.StdEncoding.EncodeToString(data), "attributes": attrs,
			"messageId": "m-1", "publishTime": "2021-02-05T04:06:14.109Z",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type requestCase struct {
	name    string
	header  http.Header
	body    []byte
	path    string
	wantErr string // substring; empty for success
}

func requestCases(t testing.TB) []requestCase {
	const (
		pubsubSrc  = "//pubsub.googleapis.com/projects/p/topics/t"
		storageSrc = "//storage.googleapis.com/projects/_/buckets/sample-bucket"
	)
	inner := `{"specversion":"1.0","id":"inner-1","source":"/orders","type":"com.example.order.created","datacontenttype":"application/json","data":{"order":42}}`
	return []requestCase{
		{name: "pubsub-binary", header: binary(TypePubSubMessagePublished, pubsubSrc), body: readFile(t, "google/MessagePublishedData-text.json")},
		{name: "pubsub-binary-bytes", header: binary(TypePubSubMessagePublished, pubsubSrc), body: readFile(t, "google/MessagePublishedData-binary.json")},
		{name: "pubsub-structured", header: jsonHeader("application/cloudevents+json"), body: readFile(t, "structured/MessagePublishedData.json")},
		{name: "storage-binary", header: binary(TypeStorageObjectFinalized, storageSrc, "Ce-Subject", "objects/folder/Test.cs", "Ce-Bucket", "sample-bucket"), body: readFile(t, "google/StorageObjectData-simple.json")},
		{name: "storage-deleted-binary", header: binary(TypeStorageObjectDeleted, storageSrc, "Ce-Subject", "objects/folder/Test.cs"), body: readFile(t, "google/StorageObjectData-complex.json")},
		{name: "storage-structured", header: jsonHeader("application/cloudevents+json; charset=utf-8"), body: readFile(t, "structured/StorageObjectDataWorkflows.json")},
		{name: "firestore-binary", header: binary("google.cloud.firestore.document.v1.written", "//firestore.googleapis.com/projects/project-id/databases/(default)",
			"Ce-Subject", "documents/gcf-test/2Vm2mI1d0wIaK2Waj5to", "Ce-Database", "(default)", "Ce-Namespace", "(default)", "Ce-Document", "gcf-test/2Vm2mI1d0wIaK2Waj5to"), body: readFile(t, "google/DocumentEventData-simple.json")},
		{name: "firestore-protobuf-binary", header: binary("google.cloud.firestore.document.v1.created.withAuthContext", "//firestore.googleapis.com/projects/p/databases/(default)",
			"Content-Type", "application/protobuf", "Ce-Authtype", "unauthenticated"), body: []byte{0x0a, 0x03, 'a', 'b', 'c'}},
		{name: "scheduler-binary", header: binary(TypeSchedulerJobExecuted, "//cloudscheduler.googleapis.com/projects/p/locations/us-central1/jobs/j", "Ce-Job", "j"), body: readFile(t, "google/SchedulerJobData-simple.json")},
		{name: "audit-binary", header: binary(TypeAuditLogWritten, "//cloudaudit.googleapis.com/projects/test-project/logs/activity",
			"Ce-Subject", "pubsub.googleapis.com/projects/test-project/topics/test-topic", "Ce-MethodName", "google.pubsub.v1.Publisher.CreateTopic", "Ce-ServiceName", "pubsub.googleapis.com"), body: readFile(t, "google/LogEntryData-pubsubCreateTopic.json")},
		{name: "audit-structured-camelcase", header: jsonHeader("application/cloudevents+json"), body: readFile(t, "structured/LogEntryData-bigqueryjobcompleted.json")},
		{name: "other-google-type", header: binary("google.cloud.cloudbuild.build.v1.statusChanged", "//cloudbuild.googleapis.com/projects/p/builds/b"), body: readFile(t, "google/BuildEventData-simple.json")},
		{name: "percent-encoded-subject", header: binary(TypeStorageObjectFinalized, storageSrc, "Ce-Subject", "objects/Euro%20%E2%82%AC%20%F0%9F%98%80"), body: readFile(t, "google/StorageObjectData-simple.json")},
		{name: "keeps-existing-polyfnkind", header: binary(TypePubSubMessagePublished, pubsubSrc, "Ce-Polyfnkind", "queue.message"), body: readFile(t, "google/MessagePublishedData-text.json")},
		{name: "legacy-pubsub-flat", header: jsonHeader("application/json"), body: readFile(t, "conformance/legacy_pubsub-legacy-input.json")},
		{name: "legacy-pubsub-context", header: jsonHeader("application/json"), body: readFile(t, "conformance/pubsub_text-legacy-input.json")},
		{name: "legacy-storage", header: jsonHeader("application/json"), body: readFile(t, "conformance/storage-legacy-input.json")},
		{name: "legacy-firestore", header: jsonHeader("application/json"), body: readFile(t, "conformance/firestore_simple-legacy-input.json")},
		{name: "push-envelope", header: jsonHeader("application/json"), body: readFile(t, "google/MessagePublishedData-text.json"), path: "/"},
		{name: "push-envelope-topic-in-path", header: jsonHeader("application/json"), body: readFile(t, "google/MessagePublishedData-text.json"), path: "/projects/p/topics/t"},
		{name: "pubsub-carrying-binary-cloudevent", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(`{"order":42}`), map[string]string{
			"ce-specversion": "1.0", "ce-id": "inner-1", "ce-source": "/orders", "ce-type": "com.example.order.created", "ce-partitionkey": "k1", "Content-Type": "application/json"})},
		{name: "pubsub-carrying-structured-cloudevent", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(inner), map[string]string{"content-type": "application/cloudevents+json"})},
		{name: "pubsub-carrying-sniffed-cloudevent", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(inner), nil)},
		{name: "pubsub-carrying-amqp-cloudevent", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(`{"order":43}`), map[string]string{
			"cloudEvents:specversion": "1.0", "cloudEvents:id": "amqp-1", "cloudEvents:source": "/bridge", "cloudEvents:type": "com.example.order.created",
			"cloudEvents:subject": "from-amqp", "ce-subject": "ce-wins", "content-type": "application/json"})},
		{name: "pubsub-json-message-not-a-cloudevent", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(`{"specversion":"2.0","note":"not a CloudEvent"}`), map[string]string{"k": "v"})},
		{name: "push-carrying-binary-cloudevent", header: jsonHeader("application/json"), path: "/push", body: pubsubData(t, []byte("hello"), map[string]string{
			"ce-specversion": "1.0", "ce-id": "inner-2", "ce-source": "/greeter", "ce-type": "com.example.greeting", "content-type": "text/plain"})},

		{name: "err-binary-missing-source", header: binary(TypePubSubMessagePublished, ""), body: []byte(`{}`), wantErr: "ce-source"},
		{name: "err-binary-datacontenttype-header", header: binary(TypePubSubMessagePublished, pubsubSrc, "Ce-Datacontenttype", "application/json"), body: []byte(`{}`), wantErr: "ce-datacontenttype"},
		{name: "err-binary-bad-percent", header: binary(TypePubSubMessagePublished, pubsubSrc, "Ce-Subject", "%C0%A0"), body: []byte(`{}`), wantErr: "UTF-8"},
		{name: "err-structured-garbage", header: jsonHeader("application/cloudevents+json"), body: []byte(`{"specversion":`), wantErr: "structured CloudEvent"},
		{name: "err-structured-missing-id", header: jsonHeader("application/cloudevents+json"), body: []byte(`{"specversion":"1.0","source":"/s","type":"t"}`), wantErr: "id"},
		{name: "err-batch", header: jsonHeader("application/cloudevents-batch+json"), body: []byte(`[]`), wantErr: "batched"},
		{name: "err-empty", header: http.Header{}, body: nil, wantErr: "empty body"},
		{name: "err-not-json", header: jsonHeader("text/plain"), body: []byte("hello"), wantErr: "not a JSON object"},
		{name: "err-json-not-an-event", header: jsonHeader("application/json"), body: []byte(`{"hello":"world"}`), wantErr: "unable to extract"},
		{name: "err-legacy-unknown-type", header: jsonHeader("application/json"), body: []byte(`{"context":{"eventId":"1","eventType":"providers/x/eventTypes/y","resource":"r"},"data":{}}`), wantErr: "unable to find CloudEvent equivalent event type"},
		{name: "err-legacy-storage-resource", header: jsonHeader("application/json"), body: []byte(`{"context":{"eventId":"1","eventType":"google.storage.object.finalize","resource":{"service":"storage.googleapis.com","name":"buckets/b"}},"data":{}}`), wantErr: "does not match"},
		{name: "err-legacy-no-data", header: jsonHeader("application/json"), body: []byte(`{"context":{"eventId":"1","eventType":"google.storage.object.finalize"}}`), wantErr: "no data"},
		{name: "err-legacy-pubsub-data-not-object", header: jsonHeader("application/json"), body: []byte(`{"eventId":"1","eventType":"google.pubsub.topic.publish","resource":"projects/p/topics/t","data":"x"}`), wantErr: "must be an object"},
		{name: "err-push-no-message-id", header: jsonHeader("application/json"), body: []byte(`{"message":{"data":"aGk="},"subscription":"projects/p/subscriptions/s"}`), wantErr: "messageId"},
		{name: "err-push-no-subscription", header: jsonHeader("application/json"), body: []byte(`{"message":{"data":"aGk=","messageId":"1"}}`), path: "/", wantErr: "no subscription"},
		{name: "err-pubsub-carrying-batch", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(`[]`), map[string]string{"content-type": "application/cloudevents-batch+json"}), wantErr: "batched CloudEvents"},
		{name: "err-pubsub-binary-bad-base64", header: binary(TypePubSubMessagePublished, pubsubSrc), body: []byte(`{"message":{"data":"!!","attributes":{"ce-specversion":"1.0"}}}`), wantErr: "not valid"},
		{name: "err-pubsub-carrying-invalid-cloudevent", header: binary(TypePubSubMessagePublished, pubsubSrc), body: pubsubData(t, []byte(`{}`), map[string]string{"ce-specversion": "1.0", "ce-type": "t"}), wantErr: "carries an invalid CloudEvent"},
	}
}

func TestDecodeRequest(t *testing.T) {
	for _, tc := range requestCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			e, err := DecodeRequest(tc.header, tc.body, tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if !errors.Is(err, ErrInvalidEvent) {
					t.Errorf("err = %v, want it to wrap ErrInvalidEvent", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := cejson.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			buf.WriteByte('\n')
			golden.Check(t, filepath.Join("testdata", "golden", tc.name+".golden.json"), buf.Bytes())
		})
	}
}
