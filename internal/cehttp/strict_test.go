package cehttp

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/cejson"
)

// TestStrictBinaryReading holds one case for each MUST of the spec that
// binary mode enforces (issue 10, section 1): each input was accepted, or
// read differently, before.
func TestStrictBinaryReading(t *testing.T) {
	with := func(edit func(h http.Header)) http.Header {
		h := binaryHeaders()
		edit(h)
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body string
		want string // part of the error
	}{
		// An attribute given twice, in any case, is refused rather than
		// read in Go's map order.
		{"header given twice", with(func(h http.Header) { h["Ce-Id"] = []string{"1", "2"} }), "", "header Ce-Id is given 2 times"},
		{"attribute in two cases", with(func(h http.Header) { h["ce-id"] = []string{"2"} }), "", "attribute id is given twice"},
		{"extension in two cases", with(func(h http.Header) { h["Ce-Foo"], h["ce-FOO"] = []string{"a"}, []string{"b"} }), "", "attribute foo is given twice"},
		{"Content-Type given twice", with(func(h http.Header) { h["Content-Type"] = []string{"text/plain", "text/html"} }), "x", "header Content-Type is given 2 times"},
		// RFC 2046 media types only.
		{"space in Content-Type", binaryHeaders("Content-Type", "a/b c"), "x", `media type "a/b c"`},
		{"line break in Content-Type", with(func(h http.Header) { h["Content-Type"] = []string{"text/plain\r\nX-Injected: 1"} }), "x", "control character U+000D"},
		{"no subtype", binaryHeaders("Content-Type", "text"), "x", `want "/"`},
		// Data labelled JSON is JSON, in valid UTF-8.
		{"JSON type, not JSON", binaryHeaders("Content-Type", "application/json"), "not json", `data is not valid JSON, which its media type "application/json" announces`},
		{"+json type, not JSON", binaryHeaders("Content-Type", "application/vnd.x+json; charset=utf-8"), "{", "data is not valid JSON"},
		{"text/json, invalid UTF-8", binaryHeaders("Content-Type", "text/json"), "\"\xff\"", "data is not valid JSON"},
		// RFC 3339 exactly.
		{"+24:00 offset", binaryHeaders("ce-time", "2018-04-05T17:31:00+24:00"), "", "is not an RFC 3339 timestamp"},
		{"comma fraction", binaryHeaders("ce-time", "2018-04-05T17:31:00,5Z"), "", "is not an RFC 3339 timestamp"},
		// Disallowed characters, once percent-decoded.
		{"encoded line break", binaryHeaders("ce-subject", "a%0Ab"), "", "attribute subject: control character U+000A at byte 1"},
		{"encoded C1 control", binaryHeaders("ce-subject", "%C2%85"), "", "control character U+0085"},
		{"encoded surrogate", binaryHeaders("ce-subject", "%ED%A0%80"), "", "not valid UTF-8"},
		{"encoded noncharacter", binaryHeaders("ce-partitionkey", "%EF%B7%90"), "", "noncharacter U+FDD0"},
		{"raw invalid UTF-8", binaryHeaders("ce-subject", "a\xffb"), "", "not valid UTF-8"},
		// Only SP and HTAB are trimmed: a value of Unicode space is not
		// blank-trimmed into something else, and an id of it is blank.
		{"id of NBSP only", binaryHeaders("ce-id", "\u00a0"), "", "missing required attribute id"},
		// An extension header can never set a context attribute.
		{"ce-datacontenttype", binaryHeaders("ce-datacontenttype", "text/plain"), "", "not allowed in binary mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadBinary(tt.h, []byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, cejson.ErrInvalid) {
				t.Fatalf("ReadBinary error = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

// TestStrictBinaryAccepts: what the binding allows still reads, exactly.
func TestStrictBinaryAccepts(t *testing.T) {
	tests := []struct {
		name  string
		h     http.Header
		check func(e event.Event) bool
	}{
		{"SP and HTAB trimmed", binaryHeaders("ce-subject", " \tx y\t "), func(e event.Event) bool { return e.Subject() == "x y" }},
		{"NBSP kept", binaryHeaders("ce-subject", "\u00a0x\u00a0"), func(e event.Event) bool { return e.Subject() == "\u00a0x\u00a0" }},
		{"em space and U+2028 kept", binaryHeaders("ce-subject", "%E2%80%83x%E2%80%A8"), func(e event.Event) bool { return e.Subject() == "\u2003x\u2028" }},
		{"lower-case t and z", binaryHeaders("ce-time", "2018-04-05t17:31:00z"), func(e event.Event) bool {
			return e.Time().Equal(time.Date(2018, 4, 5, 17, 31, 0, 0, time.UTC))
		}},
		{"leap second", binaryHeaders("ce-time", "2016-12-31T23:59:60Z"), func(e event.Event) bool {
			return e.Time().Equal(time.Date(2016, 12, 31, 23, 59, 59, 999999999, time.UTC))
		}},
		{"media type parameters", binaryHeaders("Content-Type", `text/plain; charset="utf-8"`), func(e event.Event) bool {
			return e.DataContentType() == `text/plain; charset="utf-8"`
		}},
		{"Content-Type trimmed of SP", binaryHeaders("Content-Type", " application/json "), func(e event.Event) bool {
			return e.DataContentType() == "application/json"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ReadBinary(tt.h, []byte(`"x"`))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(e) {
				t.Fatalf("read %v", e)
			}
		})
	}
}

// TestWriteBinaryStrict: writing never invents a Content-Type, never lets
// an extension write a context attribute's header, and never writes a
// datacontenttype that is not an RFC 2046 media type (a line break in it
// would inject headers).
func TestWriteBinaryStrict(t *testing.T) {
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
		want string // part of the error
	}{
		{"extension named id", func(e *event.Event) { ext(e)["id"] = "spoofed" }, "extension name id is the name of a context attribute"},
		{"upper-case extension", func(e *event.Event) { ext(e)["ID"] = "spoofed" }, `attribute name "ID" must hold only lower-case`},
		{"extension named datacontenttype", func(e *event.Event) { ext(e)["datacontenttype"] = "text/html" }, "extension name datacontenttype"},
		{"CR LF in datacontenttype", func(e *event.Event) {
			e.SetDataContentType("text/plain\r\nX-Injected: 1")
			e.DataEncoded = []byte("x")
		}, `want ";" at byte 10, got "\r"`},
		{"space in datacontenttype", func(e *event.Event) {
			e.SetDataContentType("a/b c")
			e.DataEncoded = []byte("x")
		}, `media type "a/b c"`},
		{"JSON type, data not JSON", func(e *event.Event) {
			e.SetDataContentType("application/json")
			e.DataEncoded = []byte("not json")
		}, "data is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.edit(&e)
			rec := httptest.NewRecorder()
			err := WriteBinary(rec, &e, 200)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, cejson.ErrInvalid) {
				t.Fatalf("WriteBinary error = %v, want ErrInvalid containing %q", err, tt.want)
			}
			if len(rec.Header()) != 0 || rec.Body.Len() != 0 {
				t.Fatalf("wrote %v %q after an error", rec.Header(), rec.Body)
			}
		})
	}
}

// TestWriteBinaryNoSniffing: data without a datacontenttype goes out
// without a Content-Type over a real connection, where net/http would
// sniff one ("text/plain; charset=utf-8") and the receiver would read it
// as the event's datacontenttype.
func TestWriteBinaryNoSniffing(t *testing.T) {
	e := event.New()
	e.SetID("1")
	e.SetSource("/s")
	e.SetType("t")
	e.DataEncoded = []byte("plain words")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := WriteBinary(w, &e, 200); err != nil {
			t.Error(err)
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct, ok := resp.Header["Content-Type"]; ok {
		t.Fatalf("Content-Type %q was invented", ct)
	}
	back, err := ReadBinary(resp.Header, body)
	if err != nil {
		t.Fatal(err)
	}
	if back.DataContentType() != "" || string(back.Data()) != "plain words" {
		t.Fatalf("read back datacontenttype %q, data %q", back.DataContentType(), back.Data())
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

// TestUTF8BothModes: structured and binary mode treat invalid UTF-8 the
// same (issue 10: structured mode read it as U+FFFD while binary mode
// refused it): refused in every attribute and in JSON data, carried as
// bytes in data of other media types.
func TestUTF8BothModes(t *testing.T) {
	structured := func(members string) []byte {
		return []byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t"` + members + `}`)
	}
	tests := []struct {
		name       string
		binary     http.Header
		binaryBody string
		structured []byte
		want       string // part of both errors; "*" for any errors; "" when both read the same event
	}{
		{"subject", binaryHeaders("ce-subject", "a\xffb"), "", structured(",\"subject\":\"a\xffb\""), "not valid UTF-8"},
		{"extension", binaryHeaders("ce-ext", "\xc0\xaf"), "", structured(",\"ext\":\"\xc0\xaf\""), "not valid UTF-8"},
		{"encoded surrogate", binaryHeaders("ce-subject", "%ED%A0%80"), "", structured(`,"subject":"\ud800"`), "*"},
		{"JSON data", binaryHeaders("Content-Type", "application/json"), "{\"a\":\"\xff\"}", structured(",\"datacontenttype\":\"application/json\",\"data\":{\"a\":\"\xff\"}"), "not valid"},
		{"octet data", binaryHeaders("Content-Type", "application/octet-stream"), "\xff\x00", structured(`,"datacontenttype":"application/octet-stream","data_base64":"/wA="`), ""},
		{"text data, not UTF-8", binaryHeaders("Content-Type", "text/plain"), "\xff", structured(`,"datacontenttype":"text/plain","data_base64":"/w=="`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, berr := ReadBinary(tt.binary, []byte(tt.binaryBody))
			s, serr := cejson.Unmarshal(tt.structured)
			if tt.want != "" {
				want := strings.TrimPrefix(tt.want, "*") // each error names its own fault
				if berr == nil || serr == nil || !strings.Contains(berr.Error(), want) || !strings.Contains(serr.Error(), want) {
					t.Fatalf("binary: %v; structured: %v; want both refused with %q", berr, serr, tt.want)
				}
				return
			}
			if berr != nil || serr != nil {
				t.Fatalf("binary: %v; structured: %v", berr, serr)
			}
			if string(b.Data()) != string(s.Data()) || b.DataBase64 != s.DataBase64 {
				t.Fatalf("binary data %q (base64 %v), structured %q (base64 %v)", b.Data(), b.DataBase64, s.Data(), s.DataBase64)
			}
		})
	}
}
