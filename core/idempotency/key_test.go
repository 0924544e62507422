package idempotency_test

import (
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

func TestJSONField(t *testing.T) {
	tests := []struct {
		data    string
		want    string
		wantErr string // a part of the error; "" for none
	}{
		{`{"order":"A7"}`, "A7", ""},
		{`{"order":42,"x":[1]}`, "42", ""},
		{`{"order":1.5e3}`, "1.5e3", ""},
		{`{"item":"A7"}`, "", `"order": absent`},
		{`{"order":""}`, "", `"order": empty`},
		{`{"order":null}`, "", "not a string or a number"},
		{`{"order":{"id":1}}`, "", "not a string or a number"},
		{`[1,2]`, "", "not a JSON object"},
		{`not json`, "", "not a JSON object"},
	}
	key := idempotency.JSONField("order")
	for _, tt := range tests {
		got, err := key(event("1", tt.data))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.data, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one saying %q", tt.data, err, tt.wantErr)
		case got != tt.want:
			t.Errorf("%s: key %q, want %q", tt.data, got, tt.want)
		}
	}
}

func TestSourceID(t *testing.T) {
	a, err := idempotency.SourceID(core.NewEvent("1", "/a/b", "t", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	// A separator keeps "/a/b"+"1" apart from "/a/b1"+"".
	b, _ := idempotency.SourceID(core.NewEvent("b1", "/a/", "t", "", nil))
	if a == b {
		t.Errorf("SourceID gives %q for two different events", a)
	}
	if _, err := idempotency.SourceID(core.NewEvent("", "/a", "t", "", nil)); err == nil {
		t.Error("SourceID of an event without id: no error")
	}
}

// FuzzJSONField checks that JSONField never panics, and returns a
// non-empty key or an error naming the field.
func FuzzJSONField(f *testing.F) {
	for _, s := range []string{`{"order":"A7"}`, `{"order":42}`, `{"order":null}`, `[]`, `{"order":"\u0000"}`, `{"order":1e400}`} {
		f.Add([]byte(s))
	}
	key := idempotency.JSONField("order")
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := key(core.NewEvent("1", "/s", "t", "application/json", data))
		if err != nil && !strings.Contains(err.Error(), `"order"`) {
			t.Errorf("error %v does not name the field", err)
		}
		if err == nil && k == "" {
			t.Error("an empty key without an error")
		}
	})
}
