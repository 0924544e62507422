package cejson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/mediatype"
)

// sdkRead reads b as the CloudEvents Go SDK v2 does in structured mode:
// json.Unmarshal into an event.Event, then Validate.
func sdkRead(b []byte) (event.Event, error) {
	var e event.Event
	if err := json.Unmarshal(b, &e); err != nil {
		return e, err
	}
	return e, e.Validate()
}

// stricter lists, by a phrase of our error, the inputs we refuse and the
// SDK reads: each is a documented difference (docs/cloudevents.md, "Where
// polyfn is stricter than the Go SDK").
var stricter = []string{
	"structured JSON:",         // not one JSON value (the SDK's reader is lenient)
	"is not valid UTF-8",       // invalid UTF-8 anywhere in the document
	"spells the attribute",     // a context attribute's name in another case
	"is given twice",           // a member given twice
	"gives extension",          // an extension given twice, in two cases
	"data_base64",              // strict base64: no line breaks, canonical padding
	"is not an RFC 3339",       // RFC 3339 exactly: no ',' fraction, no +24:00
	"control character",        // disallowed characters in String attributes
	"noncharacter",             //
	"unpaired surrogate",       //
	"invalid UTF-8",            //
	"media type",               // RFC 2046 datacontenttype
	"32-bit integer",           // the SDK truncates 1.5 and 1e3 to an Integer
	"must be a string",         // a context attribute of another JSON type
	"data is not valid JSON",   // data_base64 of a JSON media type that is not JSON
	"is not a URI-reference",   // source
	"is not a URI",             // dataschema
	"is not an absolute URI",   //
	"must be a JSON string",    // text data given as another JSON value
	"is not supported",         // specversion other than 1.0 (the SDK reads 0.3)
	"want an object",           // not an object
	"attribute name",           // an extension name outside [a-z0-9]
	"extension name",           // data, or a context attribute's name
	"missing required",         // blank after JSON unescaping
	"subject is set but empty", //
}

// laxer reports whether b is an input we read and the SDK refuses for a
// documented reason (docs/cloudevents.md, "Where polyfn reads more than
// the Go SDK"): a time the RFC allows and Go's time.Parse does not (a
// lower-case t or z, a leap second), a member of value null, or a
// data_base64 value with white space before it, which the SDK misreads.
func laxer(b []byte, ours event.Event, sdkErr error) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	if _, ok := m["data_base64"]; ok && strings.Contains(sdkErr.Error(), "illegal base64 data at input byte 0") {
		return "the SDK misreads a data_base64 value with white space before it"
	}
	if t, ok := m["time"]; ok && (bytes.ContainsAny(t, "tz") || bytes.Contains(t, []byte(":60"))) {
		return "RFC 3339 time"
	}
	for _, v := range m {
		if string(bytes.TrimSpace(v)) == "null" {
			return "null member"
		}
	}
	if !ours.Time().IsZero() && ours.Time().Second() == 59 && ours.Time().Nanosecond() == 999999999 {
		return "leap second"
	}
	return ""
}

// FuzzSDKInterop reads the same bytes with Unmarshal and with the
// CloudEvents Go SDK v2:
//   - both read an event: the same attributes, extensions and data;
//   - only one does: the input falls under a documented difference;
//   - what Marshal writes of our event, the SDK reads to the same event;
//   - what the SDK writes of its event, Unmarshal reads to the same event.
func FuzzSDKInterop(f *testing.F) {
	files, _ := filepath.Glob("testdata/spec/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	for _, s := range []string{
		ev(`,"ID":"spoofed"`), ev(`,"foo":"a","Foo":"b"`), ev(`,"data_base64":"AAEC\nAAEC"`),
		ev(`,"time":"2018-04-05t17:31:00z"`), ev(`,"time":"2016-12-31T23:59:60Z"`), ev(`,"n":1.5`),
		ev(`,"subject":"a\u0001b"`), ev(`,"datacontenttype":"text/plain","data":"x"`), ev(`,"data":{"a":[1,2]}`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ours, err := Unmarshal(b)
		theirs, sdkErr := sdkRead(b)
		switch {
		case err != nil && sdkErr == nil:
			for _, p := range stricter {
				if strings.Contains(err.Error(), p) {
					return
				}
			}
			t.Fatalf("we refuse what the SDK reads, for no documented reason: %v\n%s", err, b)
		case err != nil:
			return
		case sdkErr != nil:
			if laxer(b, ours, sdkErr) == "" {
				t.Fatalf("we read what the SDK refuses (%v), for no documented reason:\n%s", sdkErr, b)
			}
		default:
			if diff := sameEvent(ours, theirs); diff != "" {
				t.Fatalf("the SDK reads another event: %s\n%s", diff, b)
			}
		}
		out, err := Marshal(ours)
		if err != nil {
			t.Fatalf("a valid event must encode: %v", err)
		}
		back, err := sdkRead(out)
		if err != nil {
			t.Fatalf("the SDK refuses our output: %v\n%s", err, out)
		}
		if diff := sameEvent(ours, back); diff != "" {
			t.Fatalf("the SDK reads our output as another event: %s\n%s", diff, out)
		}
		sdkOut, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Unmarshal(sdkOut)
		if err != nil {
			t.Fatalf("we refuse the SDK's output: %v\n%s", err, sdkOut)
		}
		if diff := sameEvent(again, back); diff != "" {
			t.Fatalf("we read the SDK's output as another event: %s\n%s", diff, sdkOut)
		}
	})
}

// sameEvent compares what both readers give: the attributes, the
// extensions as text, and the data (as a JSON value when it is JSON).
func sameEvent(a, b event.Event) string {
	if a.ID() != b.ID() || a.Source() != b.Source() || a.Type() != b.Type() || a.Subject() != b.Subject() ||
		a.DataSchema() != b.DataSchema() || a.DataContentType() != b.DataContentType() || !a.Time().Equal(b.Time()) {
		return fmt.Sprintf("attributes %v\nvs %v", a.Context, b.Context)
	}
	ae, be := map[string]string{}, map[string]string{}
	for k, v := range a.Extensions() {
		ae[k] = fmt.Sprint(v)
	}
	for k, v := range b.Extensions() {
		be[k] = fmt.Sprint(v)
	}
	if !reflect.DeepEqual(ae, be) {
		return fmt.Sprintf("extensions %v vs %v", ae, be)
	}
	ad, bd := a.Data(), b.Data()
	if len(ad) == 0 && len(bd) == 0 || bytes.Equal(ad, bd) {
		return ""
	}
	if mediatype.IsJSON(mediatype.Of(a.DataContentType())) && !a.DataBase64 && !b.DataBase64 {
		var av, bv any
		if json.Unmarshal(ad, &av) == nil && json.Unmarshal(bd, &bv) == nil && reflect.DeepEqual(av, bv) {
			return ""
		}
	}
	return fmt.Sprintf("data %q vs %q", ad, bd)
}

// TestSDKDifferences pins each deliberate difference from the SDK that
// docs/cloudevents.md lists, on one input each: if either reader changes,
// the list must change with it.
func TestSDKDifferences(t *testing.T) {
	tests := []struct {
		name, in     string
		weRead       bool
		sdkReads     bool
		ourErrorPart string
	}{
		{"duplicate member", ev(`,"id":"2"`), false, true, "is given twice"},
		{"extension in two cases", ev(`,"foo":"a","Foo":"b"`), false, true, "gives extension foo twice"},
		{"non-canonical base64 padding", ev(`,"data_base64":"QUJ="`), false, true, "illegal base64 data"},
		{"+24:00 offset", ev(`,"time":"2018-04-05T17:31:00+24:00"`), false, true, "RFC 3339"},
		{"comma fraction", ev(`,"time":"2018-04-05T17:31:00,5Z"`), false, true, "RFC 3339"},
		{"control character", ev(`,"subject":"a\u0001b"`), false, true, "control character"},
		{"noncharacter", ev(`,"subject":"\ufdd0"`), false, true, "noncharacter"},
		{"unpaired surrogate", ev(`,"subject":"\ud800"`), false, true, "unpaired surrogate"},
		{"invalid UTF-8", ev(",\"subject\":\"a\xffb\""), false, true, "not valid UTF-8"},
		{"fractional extension", ev(`,"n":1.5`), false, true, "32-bit integer"},
		{"empty media type parameter", ev(`,"datacontenttype":"text/plain;"`), false, true, "media type"},
		{"space before the media type", ev(`,"datacontenttype":" text/plain"`), false, true, "media type"},
		{"non-ASCII quoted parameter", ev(`,"datacontenttype":"text/plain; charset=\"é\""`), false, true, "media type"},
		{"JSON type, base64 not JSON", ev(`,"datacontenttype":"application/json","data_base64":"bm90IGpzb24="`), false, true, "data is not valid JSON"},
		{"pretty-printed data_base64", "{\n  \"specversion\": \"1.0\", \"id\": \"1\", \"source\": \"/s\", \"type\": \"t\",\n  \"data_base64\": \"eyJhIjoxfQ==\"\n}", true, false, ""},
		{"lower-case t and z", ev(`,"time":"2018-04-05t17:31:00z"`), true, false, ""},
		{"null datacontenttype", ev(`,"datacontenttype":null`), true, false, ""},
		{"leap second", ev(`,"time":"2016-12-31T23:59:60Z"`), true, false, ""},
		{"spoofed core attribute", ev(`,"ID":"spoofed"`), false, false, "spells the attribute id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tt.in))
			_, sdkErr := sdkRead([]byte(tt.in))
			if (err == nil) != tt.weRead || (sdkErr == nil) != tt.sdkReads {
				t.Fatalf("we read: %v (%v), the SDK reads: %v (%v); want %v, %v", err == nil, err, sdkErr == nil, sdkErr, tt.weRead, tt.sdkReads)
			}
			if err != nil && !strings.Contains(err.Error(), tt.ourErrorPart) {
				t.Fatalf("error %v, want %q", err, tt.ourErrorPart)
			}
		})
	}
}
