package azurehost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"string double-encoded", "aaaaa", `"\"aaaaa\""`},
		{"json message double-encoded", `{"a":1}`, `"\"{\\\"a\\\":1}\""`},
		{"int as string", 1, `"1"`},
		{"int64 as string", int64(59), `"59"`},
		{"bool as string", true, `"true"`},
		{"array as JSON text", []int64{59, 60}, `"[59,60]"`},
		{"bytes as base64", []byte("hello from byte\n"), `"aGVsbG8gZnJvbSBieXRlCg=="`},
		{"DateTime loses its zone", time.Date(2023, 10, 12, 20, 13, 49, 640002000, time.UTC), `"2023-10-12T20:13:49"`},
		{"DateTimeOffset keeps it", DateTimeOffset(time.Date(2022, 6, 20, 6, 0, 6, 0, time.UTC)), `"2022-06-20T06:00:06+00:00"`},
		{"object native", map[string]any{"AdjustForDST": true}, `{"AdjustForDST":true}`},
		{"raw as is", Raw(`{"x":[1]}`), `{"x":[1]}`},
		{"nil", nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Encode(tt.v)); got != tt.want {
				t.Errorf("Encode(%#v) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

// TestQueueMatchesCapture builds the request of a real Queue Storage
// capture with the helper and compares them, sys aside.
func TestQueueMatchesCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "queue-string.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want Request
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	delete(want.Metadata, "sys")
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	got := Queue("inMsg", QueueMessage{
		ID: "a0004923-f050-417a-9742-6d7c7b984134", PopReceipt: "AgAAAAMAAAAAAAAA8d5gQex+2AE=", DequeueCount: 1,
		InsertionTime: at("2022-06-13T06:00:06Z"), ExpirationTime: at("2022-06-20T06:00:06Z"), NextVisible: at("2022-06-13T06:10:18Z"),
		Body: []byte("aaaaa"),
	})
	norm := func(r Request) any {
		b, _ := json.Marshal(r)
		var v any
		_ = json.Unmarshal(b, &v)
		return v
	}
	if !reflect.DeepEqual(norm(got), norm(want)) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Queue builds\n%s\nthe host sent\n%s", g, w)
	}
}

// TestTimerMatchesCapture compares the Timer helper with a real capture.
func TestTimerMatchesCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "timer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want Request
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	got := Timer("inMsg", nil, false)
	var g, w any
	_ = json.Unmarshal(got.Data["inMsg"], &g)
	_ = json.Unmarshal(want.Data["inMsg"], &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("Timer builds %s, the host sent %s", got.Data["inMsg"], want.Data["inMsg"])
	}
}
