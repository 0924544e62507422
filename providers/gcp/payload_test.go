package gcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func TestPayloadPubSub(t *testing.T) {
	pubsub := func(data string) core.Event {
		return core.NewEvent("1", "//pubsub.googleapis.com/projects/p/topics/t", TypePubSubMessagePublished, "application/json", []byte(data))
	}
	type order struct {
		ID    string `json:"id"`
		Total int    `json:"total"`
	}
	tests := []struct {
		name, data, want, wantMT, wantErr string
	}{
		{"JSON message", `{"message":{"data":"eyJpZCI6ImEiLCJ0b3RhbCI6M30=","messageId":"1"},"subscription":"s"}`, `{"id":"a","total":3}`, "application/json", ""},
		{"content-type attribute", `{"message":{"data":"aGk=","attributes":{"Content-Type":"text/plain"}}}`, "hi", "text/plain", ""},
		{"opaque bytes", `{"message":{"data":"AAH/"}}`, "\x00\x01\xff", "application/octet-stream", ""},
		{"text", `{"message":{"data":"aGk="}}`, "hi", "text/plain", ""},
		{"no data", `{"message":{"messageId":"1"}}`, "", "application/octet-stream", ""},
		{"not an envelope", `{"order":"x"}`, "", "", "not a Pub/Sub message envelope"},
		{"message not an object", `{"message":5}`, "", "", "not a Pub/Sub message envelope"},
		{"data not base64", `{"message":{"data":"!!"}}`, "", "", "not a Pub/Sub message envelope"},
		{"attribute not a string", `{"message":{"data":"aGk=","attributes":{"content-type":1}}}`, "", "", "not a Pub/Sub message envelope"},
		{"not JSON", `{"message":`, "", "", "not a Pub/Sub message envelope"},
		{"escaped names", `{"Message":{"d\u0061ta":"aGk=","attributes":{"content\u002dtype":"text/csv"}}}`, "hi", "text/csv", ""},
		{"null content type", `{"message":{"data":"aGk=","attributes":{"content-type":null}}}`, "hi", "text/plain", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, mt, err := core.Payload(pubsub(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !core.IsPermanent(err) {
					t.Fatalf("err = %v, want a permanent one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want || mt != tt.wantMT {
				t.Fatalf("Payload = %q, %q, %v; want %q, %q", got, mt, err, tt.want, tt.wantMT)
			}
		})
	}
	o, err := core.Decode[order](pubsub(`{"message":{"data":"eyJpZCI6ImEiLCJ0b3RhbCI6M30="}}`))
	if err != nil || o != (order{ID: "a", Total: 3}) {
		t.Fatalf("Decode through the envelope: %+v, %v", o, err)
	}
	if _, err := core.Decode[order](pubsub(`{"message":{}}`)); !errors.Is(err, core.ErrNoData) {
		t.Fatalf("an empty message: %v", err)
	}
	plain, mt, _ := core.Payload(core.NewEvent("2", "/s", "com.example.t", "application/json; charset=utf-8", []byte(`{"a":1}`)))
	if string(plain) != `{"a":1}` || mt != "application/json" {
		t.Fatalf("other events: %q %q", plain, mt)
	}
}

// scanMessage reads the message of envelope b as pubsubPayload does when
// Normalize kept none.
func scanMessage(b []byte) (data, contentType []byte, ok bool) {
	env, ok := scanEnvelope(b)
	m, decoded := env.decode()
	return m.data, m.contentType, ok && decoded
}

// FuzzPubSubPayload checks pubsubPayload's walk of the envelope against
// encoding/json decoding the same envelope, when it is valid JSON.
func FuzzPubSubPayload(f *testing.F) {
	for _, s := range []string{
		`{"message":{"data":"eyJpZCI6ImEiLCJ0b3RhbCI6M30=","messageId":"1"},"subscription":"s"}`,
		`{"message":{"data":"aGk=","attributes":{"Content-Type":"text/plain; charset=utf-8","x":null}}}`,
		`{"message":{"data":"aGk="},"message":{"attributes":{"content-type":null}}}`,
		`{"message":{"data":"aGk="},"message":null,"MESSAGE":{}}`,
		`{"message":{"d\u0061ta":"aGk=\n","attributes":null}}`,
		`{"message":{"data":5}}`,
		`{"message":[]}`,
		`[{"message":{}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ref struct {
			Message *struct {
				Data       []byte            `json:"data"`
				Attributes map[string]string `json:"attributes"`
			} `json:"message"`
		}
		if !json.Valid(b) {
			_, _, _ = scanMessage(b) // must not panic
			return
		}
		refOK := json.Unmarshal(b, &ref) == nil && ref.Message != nil
		data, ct, ok := scanMessage(b)
		if ok != refOK {
			t.Fatalf("scanMessage(%q) ok = %v, encoding/json %v", b, ok, refOK)
		}
		if !ok {
			return
		}
		if !bytes.Equal(data, ref.Message.Data) {
			t.Fatalf("scanMessage(%q) data = %q, encoding/json %q", b, data, ref.Message.Data)
		}
		var want []string
		for k, v := range ref.Message.Attributes {
			if strings.EqualFold(k, "content-type") {
				want = append(want, v)
			}
		}
		switch {
		case len(want) > 1:
			return // encoding/json's map leaves the choice to iteration order
		case len(want) == 0 && ct != nil, len(want) == 1 && (ct == nil || string(ct) != want[0]):
			t.Fatalf("scanMessage(%q) content-type = %q, encoding/json %q", b, ct, want)
		}
	})
}
