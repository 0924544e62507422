package gcp

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func orderEvent(t testing.TB, id string, data []byte) core.Event {
	t.Helper()
	body := `{"message":{"data":"` + base64.StdEncoding.EncodeToString(data) + `","messageId":"` + id + `","orderingKey":"k"},"subscription":"projects/p/subscriptions/s"}`
	e := core.NewEvent(id, "//pubsub.googleapis.com/projects/p/topics/t", TypePubSubMessagePublished, "application/json", []byte(body))
	if err := Normalize(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

// cached reports whether payloads holds a message for e.
func cached(e core.Event) bool {
	m, ok := payloads.take(e)
	if ok {
		payloads.put(e, m)
	}
	return ok
}

// TestPayloadDecodedOnce checks that the message Normalize decodes is the
// one core.Decode reads, for the event Normalize saw only: the payload of
// an event whose data was replaced, or of a copy with its own context, is
// read again from the envelope, and both ways agree.
func TestPayloadDecodedOnce(t *testing.T) {
	const order = `{"order":"A-7","total":42.5}`
	e := orderEvent(t, "once-1", []byte(order))
	if !cached(e) {
		t.Fatal("Normalize kept no message for the event")
	}
	copied := e.Clone() // its own context: not the event Normalize saw
	if cached(copied) {
		t.Fatal("a clone finds the original's message")
	}
	data, mt, err := core.Payload(e)
	if err != nil || string(data) != order || mt != "application/json" {
		t.Fatalf("Payload = %q, %q, %v", data, mt, err)
	}
	if cached(e) {
		t.Error("the message is kept after its payload was read")
	}
	for _, ev := range []core.Event{e, copied} { // read again: from the envelope
		if data, mt, err := core.Payload(ev); err != nil || string(data) != order || mt != "application/json" {
			t.Errorf("Payload read again = %q, %q, %v", data, mt, err)
		}
	}

	// New data on the same context: the kept message is not the event's.
	r := orderEvent(t, "once-2", []byte(`"first"`))
	other := orderEvent(t, "once-3", []byte(`"second"`))
	if err := r.SetData("application/json", other.Data()); err != nil {
		t.Fatal(err)
	}
	if data, _, err := core.Payload(r); err != nil || string(data) != `"second"` {
		t.Errorf("payload after SetData = %q, %v; want the new data's message", data, err)
	}

	// The one walk and one decoding: reading the payload of a normalized
	// event allocates nothing more.
	allocs := testing.AllocsPerRun(100, func() {
		ev := orderEvent(t, "once-4", []byte(order))
		if _, _, err := core.Payload(ev); err != nil {
			t.Fatal(err)
		}
	})
	base := testing.AllocsPerRun(100, func() { orderEvent(t, "once-5", []byte(order)) })
	if allocs > base {
		t.Errorf("reading the payload of a normalized event allocates %v times; want none (Normalize: %v)", allocs-base, base)
	}
}

// TestPayloadCacheBounded checks that messages whose payload is never read
// are forgotten: at most maxPayloads of them, and maxPayloadBytes bytes.
func TestPayloadCacheBounded(t *testing.T) {
	var events []core.Event
	for i := 0; i < maxPayloads+50; i++ {
		events = append(events, orderEvent(t, "bound", []byte(`{"n":1}`)))
	}
	payloads.mu.Lock()
	n, size := len(payloads.index), payloads.bytes
	payloads.mu.Unlock()
	if n > maxPayloads || size > maxPayloadBytes {
		t.Fatalf("%d messages, %d bytes kept", n, size)
	}
	if cached(events[0]) || !cached(events[len(events)-1]) {
		t.Error("the oldest message is kept, or the newest is not")
	}
	big := make([]byte, maxPayloadBytes/3)
	for i := range big {
		big[i] = 'x'
	}
	for i := 0; i < 4; i++ {
		orderEvent(t, "big", big)
	}
	payloads.mu.Lock()
	size = payloads.bytes
	payloads.mu.Unlock()
	if size > maxPayloadBytes {
		t.Errorf("%d bytes kept, over the budget of %d", size, maxPayloadBytes)
	}
	// Every event still reads its payload, kept or not.
	for _, e := range events {
		if data, _, err := core.Payload(e); err != nil || string(data) != `{"n":1}` {
			t.Fatalf("Payload = %q, %v", data, err)
		}
	}
}

// TestParseStructuredNames checks how ParseStructured lower-cases names:
// extensions only, and never when the result would be ambiguous; the
// answer is the same on every run, whatever the map order.
func TestParseStructuredNames(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
		wantExt           map[string]string
	}{
		{name: "camelCase extension", in: `{"specversion":"1.0","id":"1","source":"/s","type":"t","methodName":"m"}`, wantExt: map[string]string{"methodname": "m"}},
		{name: "case variants of one extension", in: `{"specversion":"1.0","id":"1","source":"/s","type":"t","fOO":"c","Foo":"b"}`, wantErr: `members "Foo" and "fOO" differ only in case`},
		{name: "variants apart in byte order", in: `{"specversion":"1.0","id":"1","source":"/s","type":"t","Foo":"a","Fo_":"x","FoO":"b"}`, wantErr: `members "FoO" and "Foo" differ only in case`},
		{name: "an extension and its variant", in: `{"specversion":"1.0","id":"1","source":"/s","type":"t","foo":"a","Foo":"b"}`, wantErr: `members "foo" and "Foo" differ only in case`},
		{name: "a spelling of id", in: `{"specversion":"1.0","ID":"spoofed","source":"/s","type":"t"}`, wantErr: `member "ID" spells the attribute "id"`},
		{name: "a spelling of id beside id", in: `{"specversion":"1.0","id":"1","Id":"spoofed","source":"/s","type":"t"}`, wantErr: `member "Id" spells the attribute "id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < 20; i++ {
				e, err := ParseStructured([]byte(tt.in))
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidEvent) {
						t.Fatalf("ParseStructured = %v, %v; want an ErrInvalidEvent with %q", e, err, tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tt.wantExt {
					if x, _ := core.ExtensionString(e, k); x != v {
						t.Fatalf("extension %s = %q, want %q", k, x, v)
					}
				}
			}
		})
	}
}
