package cejson

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
)

// ev returns a structured event with the required attributes and the
// members given (JSON text, each with a leading comma).
func ev(members string) string {
	return `{"specversion":"1.0","id":"1","source":"/s","type":"t"` + members + `}`
}

// TestStrictReading holds one case for each MUST of the spec that the
// reader enforces (issue 10, section 1): each input was accepted, or read
// differently, before.
func TestStrictReading(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // part of the error
	}{
		// Attribute-name spoofing: a member that spells a context attribute
		// in another case was read as an extension with the core name.
		{"ID", ev(`,"ID":"spoofed"`), `member "ID" spells the attribute id in another case`},
		{"TYPE", ev(`,"TYPE":"x"`), `member "TYPE" spells the attribute type in another case`},
		{"SpecVersion", ev(`,"SpecVersion":"1.0"`), `member "SpecVersion" spells the attribute specversion`},
		{"Source", ev(`,"Source":"/x"`), `spells the attribute source`},
		{"DataContentType", ev(`,"DataContentType":"text/plain"`), `spells the attribute datacontenttype`},
		{"Time", ev(`,"Time":"2020-01-01T00:00:00Z"`), `spells the attribute time`},
		{"Data", ev(`,"Data":"x"`), `spells the attribute data`},
		{"DATA_BASE64", ev(`,"DATA_BASE64":"AA=="`), `spells the attribute data_base64`},
		{"escaped core name", ev(`,"\u0049D":"spoofed"`), `member "ID" spells the attribute id`},
		// Deterministic decoding: no member read twice, in any spelling.
		{"duplicate id", ev(`,"id":"2"`), `member "id" is given twice`},
		{"duplicate id, escaped", ev(`,"\u0069d":"2"`), `member "id" is given twice`},
		{"duplicate null", ev(`,"subject":null,"subject":"x"`), `member "subject" is given twice`},
		{"case variants", ev(`,"foo":"a","Foo":"b","fOO":"c"`), `member "Foo" gives extension foo twice`},
		{"duplicate extension", ev(`,"n":1,"n":2`), `member "n" gives extension n twice`},
		// Strict base64.
		{"line break in base64", ev(`,"data_base64":"AAEC\nAAEC"`), "data_base64: line break at byte 4"},
		{"CR in base64", ev(`,"data_base64":"AAEC\r\n"`), "line break"},
		{"space in base64", ev(`,"data_base64":"AA EC"`), "illegal base64 data at input byte 2"},
		{"unpadded base64", ev(`,"data_base64":"AAE"`), "illegal base64 data"},
		{"non-canonical padding bits", ev(`,"data_base64":"QUJ="`), "illegal base64 data"},
		// RFC 3339 exactly.
		{"+24:00 offset", ev(`,"time":"2018-04-05T17:31:00+24:00"`), "is not an RFC 3339 timestamp"},
		{"comma fraction", ev(`,"time":"2018-04-05T17:31:00,5Z"`), "is not an RFC 3339 timestamp"},
		{"time with a space", ev(`,"time":"2018-04-05 17:31:00Z"`), "is not an RFC 3339 timestamp"},
		// JSON-labelled data is JSON.
		{"base64 of JSON type, not JSON", ev(`,"datacontenttype":"application/json","data_base64":"bm90IGpzb24="`), `data is not valid JSON, which its media type "application/json" announces`},
		{"base64 of +json type, not JSON", ev(`,"datacontenttype":"application/vnd.x+json","data_base64":"/w=="`), "data is not valid JSON"},
		{"text type, data not a string", ev(`,"datacontenttype":"text/plain","data":{"a":1}`), `data of datacontenttype "text/plain" must be a JSON string, got an object`},
		// Disallowed characters in string attributes.
		{"control character", ev(`,"subject":"a\u0001b"`), "attribute subject: control character U+0001 at byte 1"},
		{"newline in an extension", ev(`,"ext":"a\nb"`), "extension ext: control character U+000A"},
		{"DEL", ev(`,"subject":"\u007f"`), "control character U+007F"},
		{"C1 control", ev(`,"subject":"\u0085"`), "control character U+0085"},
		{"lone high surrogate", ev(`,"subject":"\ud800"`), "unpaired surrogate"},
		{"lone low surrogate", ev(`,"subject":"\udc00x"`), "unpaired surrogate"},
		{"reversed pair", ev(`,"subject":"\udc00\ud800"`), "unpaired surrogate"},
		{"noncharacter U+FDD0", ev(`,"subject":"\ufdd0"`), "noncharacter U+FDD0"},
		{"noncharacter U+FFFF", ev(`,"ext":"\uffff"`), "noncharacter U+FFFF"},
		{"noncharacter U+1FFFE", ev(`,"subject":"\ud83f\udffe"`), "noncharacter U+1FFFE"},
		{"raw noncharacter", ev(",\"subject\":\"\xef\xb7\x90\""), "noncharacter U+FDD0"},
		{"control character in id", `{"specversion":"1.0","id":"\t1","source":"/s","type":"t"}`, "attribute id: control character U+0009"},
		// Invalid UTF-8 is refused, as in binary mode, not read as U+FFFD.
		{"invalid UTF-8 in an attribute", ev(",\"subject\":\"a\xffb\""), "structured JSON is not valid UTF-8 (byte 67)"},
		{"invalid UTF-8 in data", ev(",\"data\":{\"a\":\"\xc0\xaf\"}"), "structured JSON is not valid UTF-8"},
		{"encoded surrogate", ev(",\"subject\":\"\xed\xa0\x80\""), "not valid UTF-8"},
		// RFC 2046 media types only.
		{"space in the media type", ev(`,"datacontenttype":"a/b c"`), `media type "a/b c"`},
		{"line break in the media type", ev(`,"datacontenttype":"text/plain\r\nX-Injected: 1"`), "attribute datacontenttype: control character U+000D"},
		{"leading space", ev(`,"datacontenttype":" text/plain"`), "want a type at byte 0"},
		{"no subtype", ev(`,"datacontenttype":"text"`), `want "/"`},
		// Integers are 32-bit JSON integers.
		{"leading zero", ev(`,"n":01`), "structured JSON: invalid character '1' after object key:value pair"},
		{"fraction", ev(`,"n":1.0`), "1.0 is not a 32-bit integer"},
		{"exponent", ev(`,"n":1e3`), "1e3 is not a 32-bit integer"},
		{"too large", ev(`,"n":2147483648`), "2147483648 is not a 32-bit integer"},
		{"too small", ev(`,"n":-2147483649`), "is not a 32-bit integer"},
		// The document is one JSON value.
		{"trailing data", ev(``) + `{}`, "structured JSON: invalid character '{' after top-level value"},
		{"bad literal", ev(`,"b":tru`), "structured JSON: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Unmarshal(%s)\nerror = %v\nwant ErrInvalid containing %q", tt.in, err, tt.want)
			}
			// The batch reader reads each element the same way.
			_, err = UnmarshalBatch([]byte("[" + tt.in + "]"))
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Fatalf("UnmarshalBatch accepted what Unmarshal refuses: %v", err)
			}
		})
	}
}

// TestStrictAccepts: what the spec allows still reads, as it should.
func TestStrictAccepts(t *testing.T) {
	tests := []struct {
		name, in string
		check    func(e event.Event) bool
	}{
		{"lower-case t and z", ev(`,"time":"2018-04-05t17:31:00z"`), func(e event.Event) bool {
			return e.Time().Equal(time.Date(2018, 4, 5, 17, 31, 0, 0, time.UTC))
		}},
		{"leap second", ev(`,"time":"2016-12-31T23:59:60Z"`), func(e event.Event) bool {
			return e.Time().Equal(time.Date(2016, 12, 31, 23, 59, 59, 999999999, time.UTC))
		}},
		{"camelCase extension", ev(`,"methodName":"m"`), func(e event.Event) bool { return e.Extensions()["methodname"] == "m" }},
		{"escaped extension name", ev(`,"\u0066oo":"x"`), func(e event.Event) bool { return e.Extensions()["foo"] == "x" }},
		{"null extension then the same name", ev(`,"foo":null,"Foo":"x"`), func(e event.Event) bool { return e.Extensions()["foo"] == "x" }},
		{"surrogate pair", ev(`,"subject":"\ud83d\ude00"`), func(e event.Event) bool { return e.Subject() == "😀" }},
		{"U+2028 and NBSP are allowed", ev(`,"subject":"a\u2028b\u00a0"`), func(e event.Event) bool { return e.Subject() == "a\u2028b\u00a0" }},
		{"int32 bounds", ev(`,"lo":-2147483648,"hi":2147483647`), func(e event.Event) bool {
			return e.Extensions()["lo"] == int32(-2147483648) && e.Extensions()["hi"] == int32(2147483647)
		}},
		{"media type parameters", ev(`,"datacontenttype":"text/plain; charset=\"utf-8\"","data":"x"`), func(e event.Event) bool { return string(e.Data()) == "x" }},
		{"text data with escapes", ev(`,"datacontenttype":"text/plain","data":"a\nb\u0000"`), func(e event.Event) bool { return string(e.Data()) == "a\nb\x00" }},
		{"text data null", ev(`,"datacontenttype":"text/plain","data":null`), func(e event.Event) bool { return e.Data() == nil }},
		{"base64 of JSON type, JSON", ev(`,"datacontenttype":"application/json","data_base64":"eyJhIjoxfQ=="`), func(e event.Event) bool {
			return string(e.Data()) == `{"a":1}` && e.DataBase64
		}},
		{"base64 without a type, any bytes", ev(`,"data_base64":"/w=="`), func(e event.Event) bool { return string(e.Data()) == "\xff" }},
		{"white space around members", " \n" + `{ "specversion" : "1.0" , "id":"1","source":"/s","type":"t" , "data_base64" : "AAEC" }` + "\n", func(e event.Event) bool {
			return string(e.Data()) == "\x00\x01\x02"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Unmarshal([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(e) {
				t.Fatalf("read %+v", e)
			}
		})
	}
}

// TestDeterministic: the same input reads the same way every time, error
// or event, whatever order Go's maps would give.
func TestDeterministic(t *testing.T) {
	inputs := []string{
		ev(`,"foo":"a","Foo":"b","fOO":"c"`),
		ev(`,"b":"1","a":"2","c":3,"d":true,"e":"x","f":"y","g":"z","h":"w","i":"v"`),
		ev(`,"ID":"x","TYPE":"y"`),
	}
	for _, in := range inputs {
		first, err0 := Unmarshal([]byte(in))
		want, _ := Marshal(first)
		for i := 0; i < 50; i++ {
			e, err := Unmarshal([]byte(in))
			if (err == nil) != (err0 == nil) || err != nil && err.Error() != err0.Error() {
				t.Fatalf("run %d: error %v, first run %v", i, err, err0)
			}
			if got, _ := Marshal(e); string(got) != string(want) {
				t.Fatalf("run %d: %s, first run %s", i, got, want)
			}
		}
	}
}

// TestWriteNeverSpoofs: an extension can never write a context attribute's
// member, nor any name a reader would fold into one, and JSON-labelled
// data that is not JSON is not written.
func TestWriteNeverSpoofs(t *testing.T) {
	base := func() event.Event {
		e := event.New()
		e.SetID("1")
		e.SetSource("/s")
		e.SetType("t")
		return e
	}
	tests := []struct {
		name string
		edit func(e *event.Event)
		want string
	}{
		{"extension named id", func(e *event.Event) { ext(e)["id"] = "spoofed" }, "extension name id is the name of a context attribute"},
		{"extension named specversion", func(e *event.Event) { ext(e)["specversion"] = "0.3" }, "extension name specversion"},
		{"extension named data", func(e *event.Event) { ext(e)["data"] = "x" }, "extension name data is reserved"},
		{"upper-case extension", func(e *event.Event) { ext(e)["ID"] = "x" }, `attribute name "ID" must hold only lower-case`},
		{"extension named data_base64", func(e *event.Event) { ext(e)["data_base64"] = "AA==" }, `attribute name "data_base64"`},
		{"JSON type, data not JSON", func(e *event.Event) {
			_ = e.SetData("application/json", []byte("not json"))
		}, `data is not valid JSON, which its media type "application/json" announces`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.edit(&e)
			if _, err := Marshal(e); err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Marshal error %v, want ErrInvalid containing %q", err, tt.want)
			}
			if tt.name != "JSON type, data not JSON" {
				if err := Validate(e); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Validate error %v, want %q", err, tt.want)
				}
			}
		})
	}
}

// ext returns e's extension map, made, to write into it directly as a
// careless function might.
func ext(e *event.Event) map[string]any {
	ec := e.Context.(*event.EventContextV1)
	if ec.Extensions == nil {
		ec.Extensions = map[string]any{}
	}
	return ec.Extensions
}

// TestValidate covers what Validate refuses beyond the required
// attributes, on events built in code rather than read.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *event.Event)
		want string // "" when valid
	}{
		{"valid", func(*event.Event) {}, ""},
		{"int extension", func(e *event.Event) { ext(e)["n"] = 7 }, ""},
		{"control character in subject", func(e *event.Event) { e.SetSubject("a\nb") }, "attribute subject: control character U+000A"},
		{"noncharacter in an extension", func(e *event.Event) { ext(e)["x"] = "\ufffe" }, "extension x: noncharacter U+FFFE"},
		{"invalid UTF-8 in id", func(e *event.Event) { e.SetID("\xff") }, "attribute id: invalid UTF-8 at byte 0"},
		{"media type with CR LF", func(e *event.Event) { e.SetDataContentType("text/plain\r\nX: 1") }, `media type "text/plain\r\nX: 1"`},
		{"media type with a space", func(e *event.Event) { e.SetDataContentType("a/b c") }, `media type "a/b c"`},
		{"year 10000", func(e *event.Event) { e.SetTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) }, "RFC 3339 writes only the years 0000 to 9999"},
		{"extension of a struct", func(e *event.Event) { ext(e)["x"] = struct{}{} }, "extension x:"},
		{"blank id", func(e *event.Event) { e.Context.(*event.EventContextV1).ID = " " }, "missing required attribute id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := event.New()
			e.SetID("1")
			e.SetSource("/s")
			e.SetType("t")
			tt.edit(&e)
			err := Validate(e)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		n        int
		want     string
	}{
		{"null", `null`, 0, 0, "batch JSON: want an array of events, got null"},
		{"object", ev(""), 0, 0, "want an array of events, got an object"},
		{"null element", `[null]`, 0, 0, "batch event 0: invalid CloudEvent: want an object, got null"},
		{"empty", `[]`, 0, 0, ""},
		{"two", "[" + ev("") + "," + ev("") + "]", 0, 2, ""},
		{"bad second", "[" + ev("") + `,{"specversion":"1.0"}]`, 0, 0, "batch event 1: invalid CloudEvent: missing required attribute id"},
		{"at the cap", "[" + ev("") + "," + ev("") + "]", 2, 2, ""},
		{"over the cap", "[" + ev("") + "," + ev("") + "," + ev("") + "]", 2, 0, "too many events in one batch: more than the limit of 2 events"},
		{"over the cap, bad events", `[1,2,3]`, 2, 0, "more than the limit of 2 events"},
		{"not JSON", `[`, 0, 0, "batch JSON: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := UnmarshalBatchMax([]byte(tt.in), tt.max)
			if tt.want == "" {
				if err != nil || len(evs) != tt.n {
					t.Fatalf("%d events, %v; want %d", len(evs), err, tt.n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want ErrInvalid containing %q", err, tt.want)
			}
			if strings.Contains(tt.name, "cap") != errors.Is(err, ErrTooManyEvents) {
				t.Fatalf("error %v: ErrTooManyEvents is wrapped only over the cap", err)
			}
		})
	}
}
