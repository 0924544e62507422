package gcp

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
)

// eventOf builds a binary-mode event of type ceType whose data is fixture.
func eventOf(t *testing.T, ceType, ct string, data []byte) event.Event {
	t.Helper()
	h := binary(ceType, "//x.googleapis.com/projects/p")
	h.Set("Content-Type", ct)
	e, err := DecodeRequest(h, data, "/")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPubSubMessageOf(t *testing.T) {
	tests := []struct {
		name, fixture string
		want          PubSubMessage
	}{
		{"text", "google/MessagePublishedData-text.json", PubSubMessage{Data: []byte("test message 3"), Attributes: map[string]string{"attr1": "attr1-value"}, MessageID: "message-id", PublishTime: time.Date(2021, 2, 5, 4, 6, 14, 109e6, time.UTC)}},
		{"binary", "google/MessagePublishedData-binary.json", PubSubMessage{Data: []byte{1, 2, 3, 4}, MessageID: "message-id", PublishTime: time.Date(2021, 2, 5, 4, 6, 14, 109e6, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PubSubMessageOf(eventOf(t, TypePubSubMessagePublished, "application/json", readFile(t, tt.fixture)))
			if err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tt.want)
			if string(gb) != string(wb) {
				t.Errorf("got %s\nwant %s", gb, wb)
			}
		})
	}
	t.Run("ordering key", func(t *testing.T) {
		e, err := ParseStructured(readFile(t, "structured/MessagePublishedData.json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := PubSubMessageOf(e)
		if err != nil || m.OrderingKey != "ordering-key" || string(m.Data) != "test message 3" {
			t.Errorf("got %+v, %v", m, err)
		}
	})
	t.Run("wrong type", func(t *testing.T) {
		_, err := PubSubMessageOf(eventOf(t, TypeStorageObjectFinalized, "application/json", []byte(`{}`)))
		if err == nil || !core.IsPermanent(err) {
			t.Errorf("err = %v, want a permanent error", err)
		}
	})
}

func TestStorageObjectOf(t *testing.T) {
	tests := []struct {
		fixture      string
		size, gen    int64
		name, bucket string
	}{
		{"google/StorageObjectData-simple.json", 352, 1587627537231057, "folder/Test.cs", "some-bucket"}, // int64s as strings
	}
	for _, tt := range tests {
		got, err := StorageObjectOf(eventOf(t, TypeStorageObjectFinalized, "application/json", readFile(t, tt.fixture)))
		if err != nil {
			t.Fatal(err)
		}
		if int64(got.Size) != tt.size || int64(got.Generation) != tt.gen || got.Name != tt.name || got.Bucket != tt.bucket {
			t.Errorf("%s: got %+v", tt.fixture, got)
		}
	}
	// The Workflows sample carries the same fields as JSON numbers.
	e, err := ParseStructured(readFile(t, "structured/StorageObjectDataWorkflows.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := StorageObjectOf(e)
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != 96883251 || got.ComponentCount != 1234 || got.CustomerEncryption == nil || !got.EventBasedHold {
		t.Errorf("got %+v", got)
	}
}

func TestInt64(t *testing.T) {
	tests := []struct {
		in      string
		want    Int64
		wantErr bool
	}{
		{`42`, 42, false}, {`"42"`, 42, false}, {`"-9223372036854775808"`, -9223372036854775808, false},
		{`null`, 7, false}, {`"x"`, 0, true}, {`1.5`, 0, true}, {`"9223372036854775808"`, 0, true},
	}
	for _, tt := range tests {
		n := Int64(7)
		err := json.Unmarshal([]byte(tt.in), &n)
		if (err != nil) != tt.wantErr || (!tt.wantErr && n != tt.want) {
			t.Errorf("Unmarshal(%s) = %d, %v; want %d, err %v", tt.in, n, err, tt.want, tt.wantErr)
		}
	}
	if b, _ := json.Marshal(Int64(5)); string(b) != `"5"` {
		t.Errorf("Marshal = %s", b)
	}
}

func TestFirestoreDocumentOf(t *testing.T) {
	const typ = "google.cloud.firestore.document.v1.written"
	got, err := FirestoreDocumentOf(eventOf(t, typ, "application/json", readFile(t, "google/DocumentEventData-simple.json")))
	if err != nil {
		t.Fatal(err)
	}
	if got.Value == nil || got.OldValue == nil || got.UpdateMask == nil || got.UpdateMask.FieldPaths[0] != "count" {
		t.Fatalf("got %+v", got)
	}
	if v := Map(got.Value.Fields); v["count"] != int64(4) || v["foo"] != "bar" {
		t.Errorf("fields = %v", v)
	}
	complexDoc, err := FirestoreDocumentOf(eventOf(t, typ, "application/json", readFile(t, "google/DocumentEventData-complex.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(complexDoc.Value.Fields) == 0 {
		t.Errorf("complex: no fields")
	}
	for _, ct := range []string{"application/protobuf", "application/octet-stream"} {
		_, err := FirestoreDocumentOf(eventOf(t, typ, ct, []byte{0x0a, 0x01, 'x'}))
		if !errors.Is(err, ErrFirestoreProtobuf) || !core.IsPermanent(err) || !strings.Contains(err.Error(), "--event-data-content-type=application/json") {
			t.Errorf("%s: err = %v, want a permanent ErrFirestoreProtobuf naming the JSON setting", ct, err)
		}
	}
	h := binary(typ, "//firestore.googleapis.com/projects/p/databases/(default)")
	h.Del("Content-Type")
	e, err := DecodeRequest(h, []byte{0x0a, 0x01, 'x'}, "/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FirestoreDocumentOf(e); !errors.Is(err, ErrFirestoreProtobuf) {
		t.Errorf("protobuf bytes without a content type: err = %v", err)
	}
}

func TestValueInterface(t *testing.T) {
	var doc Document
	err := json.Unmarshal([]byte(`{"fields":{
		"n":{"nullValue":null},"b":{"booleanValue":true},"i":{"integerValue":"-3"},"d":{"doubleValue":1.5},
		"t":{"timestampValue":"2020-01-02T03:04:05Z"},"s":{"stringValue":"x"},"y":{"bytesValue":"AQI="},
		"r":{"referenceValue":"projects/p/databases/(default)/documents/c/d"},"g":{"geoPointValue":{"latitude":1,"longitude":2}},
		"a":{"arrayValue":{"values":[{"integerValue":"1"},{"stringValue":"two"}]}},"m":{"mapValue":{"fields":{"k":{"booleanValue":false}}}}}}`), &doc)
	if err != nil {
		t.Fatal(err)
	}
	got := Map(doc.Fields)
	want := map[string]any{
		"n": nil, "b": true, "i": int64(-3), "d": 1.5, "t": time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), "s": "x", "y": []byte{1, 2},
		"r": "projects/p/databases/(default)/documents/c/d", "g": LatLng{1, 2}, "a": []any{int64(1), "two"}, "m": map[string]any{"k": false},
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("got  %s\nwant %s", gb, wb)
	}
}

func TestSchedulerJobOf(t *testing.T) {
	got, err := SchedulerJobOf(eventOf(t, TypeSchedulerJobExecuted, "application/json", readFile(t, "google/SchedulerJobData-simple.json")))
	if err != nil || string(got.CustomData) != "my base64 data" {
		t.Errorf("got %q, %v", got.CustomData, err)
	}
}

func TestAuditLogOf(t *testing.T) {
	for _, f := range []string{"google/LogEntryData-pubsubCreateTopic.json", "google/LogEntryData-bigqueryjobcompleted.json", "google/LogEntryData-monitoringCreateTimeSeries.json"} {
		got, err := AuditLogOf(eventOf(t, TypeAuditLogWritten, "application/json", readFile(t, f)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got.ProtoPayload.MethodName == "" || got.ProtoPayload.ServiceName == "" || got.LogName == "" || got.Timestamp.IsZero() {
			t.Errorf("%s: got %+v", f, got)
		}
	}
	e, err := ParseStructured(readFile(t, "structured/LogEntryData-bigqueryjobcompleted.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := AuditLogOf(e)
	if err != nil || got.ProtoPayload.MethodName != "jobservice.jobcompleted" || got.ProtoPayload.AuthenticationInfo.PrincipalEmail != "robot@test-project.iam.gserviceaccount.com" {
		t.Errorf("got %+v, %v", got.ProtoPayload, err)
	}
}

// TestHelpersWithCoreDecode: the typed helper reads the envelope, while
// core.Decode reads the message inside it, as it does for every queue.
func TestHelpersWithCoreDecode(t *testing.T) {
	e := eventOf(t, TypePubSubMessagePublished, "application/json", readFile(t, "google/MessagePublishedData-text.json"))
	d, err := decodeAs[MessagePublishedData](e, "Pub/Sub", func(string) bool { return true })
	if err != nil || string(d.Message.Data) != "test message 3" || d.Subscription == "" {
		t.Errorf("envelope: %+v, %v", d, err)
	}
	s, err := core.Decode[string](e)
	if err != nil || s != "test message 3" {
		t.Errorf("core.Decode: %q, %v", s, err)
	}
}
