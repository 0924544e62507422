package gcp

import (
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
