package cehttp

import (
	"reflect"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
)

// TestAttributes: every attribute in its canonical string form, without
// percent-coding, sorted; a bad extension name is refused.
func TestAttributes(t *testing.T) {
	e := event.New()
	e.SetID("a/b é")
	e.SetSource("https://x.example/p?q=1 2")
	e.SetType("t.v1")
	e.SetSubject("s%1")
	e.SetTime(time.Date(2026, 1, 2, 3, 4, 5, 6000000, time.UTC))
	e.SetDataSchema("https://x.example/schema")
	e.SetExtension("n", int32(-3))
	e.SetExtension("b", false)
	_ = e.SetData("text/plain", []byte("hi"))
	got, err := Attributes(&e)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"b", "false"}, {"datacontenttype", "text/plain"}, {"dataschema", "https://x.example/schema"},
		{"id", "a/b é"}, {"n", "-3"}, {"source", "https://x.example/p?q=1 2"}, {"specversion", "1.0"}, {"subject", "s%1"},
		{"time", "2026-01-02T03:04:05.006Z"}, {"type", "t.v1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	e.SetExtension("data", "x") // reads back as the data member in the JSON format
	if _, err := Attributes(&e); err == nil {
		t.Error("the extension name data was accepted")
	}
}
