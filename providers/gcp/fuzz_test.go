package gcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/internal/cejson"
)

// checkDecoded checks the property of every decoder's failure: it wraps
// ErrInvalidEvent.
func checkDecoded(t *testing.T, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
	}
}

func seedFixtures(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readFile(f, n))
	}
}

// FuzzDecodeRequestNative fuzzes bodies without CloudEvent headers: legacy
// events and push envelopes.
func FuzzDecodeRequestNative(f *testing.F) {
	seedFixtures(f, "conformance/legacy_pubsub-legacy-input.json", "conformance/storage-legacy-input.json",
		"conformance/firebase-auth-legacy-input.json", "conformance/firebase-db1-legacy-input.json",
		"conformance/firestore_complex-legacy-input.json", "google/MessagePublishedData-text.json")
	f.Add([]byte(`{"data":null,"context":{}}`))
	h := jsonHeader("application/json")
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := DecodeRequest(h, body, "/projects/p/topics/t")
		checkDecoded(t, err)
		if err == nil {
			if verr := cejson.Validate(e); verr != nil {
				t.Fatalf("decoded an invalid event: %v", verr)
			}
			if _, merr := cejson.Marshal(e); merr != nil {
				t.Fatalf("cannot write decoded event: %v", merr)
			}
		}
	})
}

// FuzzDecodeRequestStructured fuzzes structured-mode bodies.
func FuzzDecodeRequestStructured(f *testing.F) {
	seedFixtures(f, "structured/MessagePublishedData.json", "structured/StorageObjectDataWorkflows.json", "structured/LogEntryData-bigqueryjobcompleted.json")
	h := jsonHeader("application/cloudevents+json")
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := DecodeRequest(h, body, "/")
		checkDecoded(t, err)
		if err == nil {
			if verr := cejson.Validate(e); verr != nil {
				t.Fatalf("decoded an invalid event: %v", verr)
			}
		}
	})
}

// FuzzDecodeRequestBinary fuzzes binary-mode events: one header value and
// the data, under each Google type.
func FuzzDecodeRequestBinary(f *testing.F) {
	for _, n := range []string{"google/MessagePublishedData-text.json", "google/StorageObjectData-simple.json", "google/DocumentEventData-simple.json", "google/SchedulerJobData-simple.json", "google/LogEntryData-pubsubCreateTopic.json"} {
		f.Add(uint8(0), "objects/a%20b", readFile(f, n))
	}
	f.Add(uint8(0), "x", pubsubData(f, []byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t"}`), map[string]string{"content-type": "application/cloudevents+json"}))
	f.Add(uint8(0), "x", pubsubData(f, []byte(`x`), map[string]string{"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/s", "ce-type": "t"}))
	types := []string{TypePubSubMessagePublished, TypeStorageObjectFinalized, "google.cloud.firestore.document.v1.written", TypeSchedulerJobExecuted, TypeAuditLogWritten}
	f.Fuzz(func(t *testing.T, which uint8, subject string, body []byte) {
		h := binary(types[int(which)%len(types)], "//storage.googleapis.com/projects/_/buckets/b", "Ce-Subject", subject)
		e, err := DecodeRequest(h, body, "/")
		checkDecoded(t, err)
		if err == nil {
			if verr := cejson.Validate(e); verr != nil {
				t.Fatalf("decoded an invalid event: %v", verr)
			}
		}
	})
}

// FuzzPubSubUnwrap fuzzes the message a Pub/Sub event carries: data and
// one attribute.
func FuzzPubSubUnwrap(f *testing.F) {
	f.Add([]byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{}}`), "content-type", "application/cloudevents+json")
	f.Add([]byte(`hello`), "ce-specversion", "1.0")
	f.Add([]byte(` {"specversion":"1.0"}`), "k", "v")
	h := binary(TypePubSubMessagePublished, "//pubsub.googleapis.com/projects/p/topics/t")
	f.Fuzz(func(t *testing.T, data []byte, k, v string) {
		attrs := map[string]string{k: v, "ce-id": "i", "ce-source": "/s", "ce-type": "t"}
		e, err := DecodeRequest(h, pubsubData(t, data, attrs), "/")
		checkDecoded(t, err)
		if err == nil {
			if verr := cejson.Validate(e); verr != nil {
				t.Fatalf("decoded an invalid event: %v", verr)
			}
		}
	})
}

// FuzzTypedHelpers fuzzes the typed data decoders: they must not panic.
func FuzzTypedHelpers(f *testing.F) {
	seedFixtures(f, "google/MessagePublishedData-text.json", "google/StorageObjectData-complex.json", "google/DocumentEventData-complex.json", "google/SchedulerJobData-simple.json", "google/LogEntryData-bigqueryjobcompleted.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range []string{TypePubSubMessagePublished, TypeStorageObjectFinalized, "google.cloud.firestore.document.v1.written", TypeSchedulerJobExecuted, TypeAuditLogWritten} {
			h := binary(typ, "//x.googleapis.com/p")
			e, err := DecodeRequest(h, data, "/")
			if err != nil {
				continue
			}
			_, _ = PubSubMessageOf(e)
			_, _ = StorageObjectOf(e)
			if d, err := FirestoreDocumentOf(e); err == nil && d.Value != nil {
				_, _ = json.Marshal(Map(d.Value.Fields))
			}
			_, _ = SchedulerJobOf(e)
			_, _ = AuditLogOf(e)
		}
	})
}

// FuzzScanEnvelope checks the one walk of a Pub/Sub envelope against
// encoding/json on every valid input without escapes: the ordering key,
// whether the attributes name a binary-mode CloudEvent, and (through
// FuzzPubSubPayload) the data and content type.
func FuzzScanEnvelope(f *testing.F) {
	seedFixtures(f, "google/MessagePublishedData-text.json", "google/MessagePublishedData-binary.json", "google/MessagePublishedData-duplicatedFields.json", "structured/MessagePublishedData.json")
	f.Add([]byte(`{"message":{"attributes":{"Ce-Specversion":"1.0","CONTENT-TYPE":"x"},"orderingKey":"k","data":" eyJ9"},"MESSAGE":{"orderingkey":"k2"}}`))
	f.Add([]byte(`{"message":{"attributes":{"cloudEvents:specversion":"1.0"}}}`))
	f.Add([]byte(`{"message":[1,{"a":"}"}],"x":{"message":{"orderingKey":"no"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := scanEnvelope(b)
		var ref struct {
			Message *struct {
				Attributes  map[string]string `json:"attributes"`
				OrderingKey string            `json:"orderingKey"`
			} `json:"message"`
		}
		if err := json.Unmarshal(b, &ref); err != nil || bytes.IndexByte(b, '\\') >= 0 || ref.Message == nil {
			return
		}
		if !ok || !got.found || !got.valid {
			t.Fatalf("scanner rejected %q: %+v", b, got)
		}
		binary := false
		for k := range ref.Message.Attributes {
			lk := strings.ToLower(k)
			binary = binary || lk == "ce-specversion" || lk == "cloudevents:specversion"
		}
		if got.orderingKey != ref.Message.OrderingKey || got.binary != binary {
			t.Fatalf("scan %q:\ngot  %+v\nwant key %q binary %v", b, got, ref.Message.OrderingKey, binary)
		}
	})
}

// FuzzFromLegacy fuzzes the legacy background event converter directly.
func FuzzFromLegacy(f *testing.F) {
	seedFixtures(f, "conformance/pubsub_text-legacy-input.json", "conformance/firebase-db8-legacy-input.json", "conformance/firebase-auth-legacy-input.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := FromLegacy(body)
		checkDecoded(t, err)
		if err == nil {
			if verr := cejson.Validate(e); verr != nil {
				t.Fatalf("decoded an invalid event: %v", verr)
			}
		}
	})
}

// FuzzFromPushEnvelope fuzzes the push envelope converter and the path.
func FuzzFromPushEnvelope(f *testing.F) {
	f.Add(readFile(f, "google/MessagePublishedData-text.json"), "/projects/p/topics/t")
	f.Add([]byte(`{"message":{"message_id":"1"},"subscription":"s"}`), "/")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		e, err := FromPushEnvelope(body, path)
		checkDecoded(t, err)
		if err == nil {
			if verr := cejson.Validate(e); verr != nil {
				t.Fatalf("decoded an invalid event: %v", verr)
			}
		}
	})
}
