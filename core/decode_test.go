package core

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type order struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

func withData(ct string, data string) Event {
	e := NewEventForTest()
	e.SetDataContentType(ct)
	if ct == "" {
		e.Context.SetDataContentType("")
	}
	e.DataEncoded = []byte(data)
	if data == "" {
		e.DataEncoded = nil
	}
	return e
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		ct      string
		data    string
		want    order
		wantErr string
	}{
		{"json", "application/json", `{"id":"a","total":3}`, order{"a", 3}, ""},
		{"json with charset", "application/json; charset=utf-8", `{"id":"b"}`, order{ID: "b"}, ""},
		{"structured suffix", "application/vnd.order+json", `{"id":"c"}`, order{ID: "c"}, ""},
		{"no content type means JSON", "", `{"id":"d"}`, order{ID: "d"}, ""},
		{"xml is not JSON", "application/xml", `<order/>`, order{}, `unsupported datacontenttype "application/xml"`},
		{"bad json", "application/json", `{"id":`, order{}, "unexpected end of JSON input"},
		{"no data", "application/json", ``, order{}, "event has no data"},
		{"type mismatch", "application/json", `{"total":"many"}`, order{}, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode[order](withData(tt.ct, tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if !IsPermanent(err) {
					t.Fatalf("decode errors must be permanent: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeRawTypes(t *testing.T) {
	b, err := Decode[[]byte](withData("application/octet-stream", "\x00\x01"))
	if err != nil || string(b) != "\x00\x01" {
		t.Fatalf("[]byte: %q, %v", b, err)
	}
	s, err := Decode[string](withData("text/plain", "hello"))
	if err != nil || s != "hello" {
		t.Fatalf("text: %q, %v", s, err)
	}
	s, err = Decode[string](withData("application/json", `"quoted"`))
	if err != nil || s != "quoted" {
		t.Fatalf("JSON string: %q, %v", s, err)
	}
	if _, err := Decode[string](withData("image/png", "x")); !errors.Is(err, ErrContentType) {
		t.Fatalf("image/png into string: %v", err)
	}
	m, err := Decode[map[string]any](withData("application/json", `{"k":[1,2]}`))
	if err != nil || len(m["k"].([]any)) != 2 {
		t.Fatalf("map: %v, %v", m, err)
	}
}

func TestTyped(t *testing.T) {
	called := false
	fn := Typed(func(_ context.Context, e Event, o order) (*Event, error) {
		called = true
		if o.ID != "a" {
			t.Errorf("got %+v", o)
		}
		return nil, nil
	})
	if _, err := fn(context.Background(), withData("application/json", `{"id":"a"}`)); err != nil || !called {
		t.Fatalf("err %v, called %v", err, called)
	}
	called = false
	_, err := fn(context.Background(), withData("text/csv", "a,b"))
	if called || !errors.Is(err, ErrContentType) || !IsPermanent(err) {
		t.Fatalf("a mismatch must fail before the function runs: called=%v err=%v", called, err)
	}
}

func BenchmarkTyped(b *testing.B) {
	fn := Typed(func(_ context.Context, e Event, o order) (*Event, error) { return nil, nil })
	e := withData("application/json", `{"id":"a","total":3}`)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := fn(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}
