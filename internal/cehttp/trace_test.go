package cehttp

import (
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
)

// TestWriteValidBinaryTrace: writing a trace beside an event gives the
// headers that setting it as the event's extension gives, and an event's
// own traceparent wins.
func TestWriteValidBinaryTrace(t *testing.T) {
	const (
		tp    = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
		own   = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		state = "vendor=a b%"
	)
	tests := []struct {
		name  string
		exts  map[string]string // the event's own extensions
		trace Trace
		want  map[string]string // the extensions the answer must carry
	}{
		{"none", nil, Trace{}, nil},
		{"parent", nil, Trace{Parent: tp}, map[string]string{"traceparent": tp}},
		{"parent and state", nil, Trace{Parent: tp, State: state}, map[string]string{"traceparent": tp, "tracestate": state}},
		{"state without parent is none", nil, Trace{State: state}, nil},
		{"own parent wins", map[string]string{"traceparent": own}, Trace{Parent: tp, State: state}, map[string]string{"traceparent": own}},
		{"state replaces own state", map[string]string{"tracestate": "x=1"}, Trace{Parent: tp, State: state}, map[string]string{"traceparent": tp, "tracestate": state}},
		{"own state kept", map[string]string{"tracestate": "x=1", "other": "v"}, Trace{Parent: tp}, map[string]string{"traceparent": tp, "tracestate": "x=1", "other": "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := event.New()
			e.SetID("1")
			e.SetSource("/s")
			e.SetType("t")
			e.SetDataContentType("application/json")
			e.DataEncoded = []byte(`{"a":1}`)
			for k, v := range tt.exts {
				e.SetExtension(k, v)
			}
			rec := httptest.NewRecorder()
			if err := WriteValidBinary(rec, &e, 200, tt.trace); err != nil {
				t.Fatal(err)
			}
			back, err := ReadBinary(rec.Header(), rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k, v := range back.Extensions() {
				got[k] = v.(string)
			}
			if len(tt.want) == 0 && len(got) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("extensions %v, want %v", got, tt.want)
			}
			if len(e.Extensions()) != len(tt.exts) {
				t.Errorf("the event was changed: %v", e.Extensions())
			}
		})
	}
}

// TestWriteValidBinaryChecksOlderVersions: only a version 1.0 event skips
// the checks cejson.Validate makes; an invalid extension name of a 0.3
// event is still refused.
func TestWriteValidBinaryChecksOlderVersions(t *testing.T) {
	e := event.New(event.CloudEventsVersionV03)
	e.SetID("1")
	e.SetSource("/s")
	e.SetType("t")
	e.Context.(*event.EventContextV03).Extensions = map[string]any{"Bad-Name": "v"}
	if err := WriteValidBinary(httptest.NewRecorder(), &e, 200, Trace{}); err == nil {
		t.Fatal("an invalid extension name of a 0.3 event was written")
	}
}
