package cejson

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/golden"
)

// TestSpecExamples parses every example of the CloudEvents spec (and a few
// provider samples) kept in testdata/spec, re-encodes it and compares the
// result, or the error, with the .golden file beside it.
func TestSpecExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/spec/*.json")
	if len(files) < 20 {
		t.Fatalf("only %d fixtures in testdata/spec", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			var evs []event.Event
			if bytes.HasPrefix(bytes.TrimSpace(in), []byte("[")) {
				evs, err = UnmarshalBatch(in)
			} else {
				var e event.Event
				e, err = Unmarshal(in)
				evs = []event.Event{e}
			}
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				got = []byte("error: " + err.Error() + "\n")
			} else {
				for _, e := range evs {
					line, err := Marshal(e)
					if err != nil {
						t.Fatal(err)
					}
					got = append(append(got, line...), '\n')
					// What we write, we read back to the same event.
					back, err := Unmarshal(line)
					if err != nil {
						t.Fatalf("re-reading %s: %v", line, err)
					}
					again, _ := Marshal(back)
					if !bytes.Equal(again, line) {
						t.Fatalf("round trip changed the event:\n%s\n%s", line, again)
					}
				}
			}
			golden.Check(t, strings.TrimSuffix(f, ".json")+".golden", got)
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", `{"specversion":`, "structured JSON: unexpected end of JSON input"},
		{"array", `[]`, "want an object, got an array"},
		{"null", `null`, "want an object, got null"},
		{"no specversion", `{"id":"1","source":"/s","type":"t"}`, "missing required attribute specversion"},
		{"old specversion", `{"specversion":"0.3","id":"1","source":"/s","type":"t"}`, `specversion "0.3" is not supported`},
		{"no id", `{"specversion":"1.0","source":"/s","type":"t"}`, "missing required attribute id"},
		{"empty source", `{"specversion":"1.0","id":"1","source":"","type":"t"}`, "missing required attribute source"},
		{"no type", `{"specversion":"1.0","id":"1","source":"/s"}`, "missing required attribute type"},
		{"id not a string", `{"specversion":"1.0","id":1,"source":"/s","type":"t"}`, "attribute id must be a string, got 1"},
		{"bad time", `{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"yesterday"}`, `time "yesterday" is not an RFC 3339 timestamp`},
		{"relative dataschema", `{"specversion":"1.0","id":"1","source":"/s","type":"t","dataschema":"/x"}`, "dataschema"},
		{"both data fields", `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}`, "mutually exclusive"},
		{"bad base64", `{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"***"}`, "data_base64: illegal base64"},
		{"extension with a dash", `{"specversion":"1.0","id":"1","source":"/s","type":"t","my-ext":"x"}`, `attribute name "my-ext" must hold only lower-case letters and digits`},
		{"object extension", `{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}}`, "must be a string, integer or boolean"},
		{"float extension", `{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":1.5}`, "1.5 is not a 32-bit integer"},
		{"huge extension", `{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":4294967296}`, "not a 32-bit integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
	if _, err := UnmarshalBatch([]byte(`[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0"}]`)); err == nil || !strings.Contains(err.Error(), "batch event 1:") {
		t.Fatalf("batch error must name the index: %v", err)
	}
}

func TestDataForms(t *testing.T) {
	tests := []struct {
		name, in  string
		wantData  string
		wantB64   bool
		wantNoDat bool
	}{
		{"inline JSON", `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":[1, 2]}}`, `{"a":[1, 2]}`, false, false},
		{"JSON string is not re-parsed", `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":"{\"a\":1}"}`, `"{\"a\":1}"`, false, false},
		{"explicit null", `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":null}`, `null`, false, false},
		{"text", `{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/xml","data":"<a/>"}`, `<a/>`, false, false},
		{"base64 with whitespace", "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data_base64\" : \"AAEC\"}", "\x00\x01\x02", true, false},
		{"escaped base64", `{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"AAE\u0043"}`, "\x00\x01\x02", true, false},
		{"no data", `{"specversion":"1.0","id":"1","source":"/s","type":"t"}`, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Unmarshal([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNoDat != (e.Data() == nil) || string(e.Data()) != tt.wantData || e.DataBase64 != tt.wantB64 {
				t.Fatalf("data %q (base64 %v), want %q (base64 %v)", e.Data(), e.DataBase64, tt.wantData, tt.wantB64)
			}
		})
	}
}

func TestExtensionTypes(t *testing.T) {
	e, err := Unmarshal([]byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","n":-7,"b":true,"s":"x","gone":null,"methodName":"m"}`))
	if err != nil {
		t.Fatal(err)
	}
	ext := e.Extensions()
	if ext["n"] != int32(-7) || ext["b"] != true || ext["s"] != "x" || ext["methodname"] != "m" {
		t.Fatalf("extensions = %#v", ext)
	}
	if _, ok := ext["gone"]; ok {
		t.Fatal("null must be read as unset")
	}
}

func TestAppendStringEscapes(t *testing.T) {
	got := string(AppendString(nil, "a\"b\\c\n\t\x01é\xff"))
	if want := `"a\"b\\c\n\t\u0001é\ufffd"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestFixturesMatchShared checks that testdata/spec holds the same bytes as
// the shared fixture set it was copied from, when that set is present.
func TestFixturesMatchShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "fixtures", "cloudevents")
	if _, err := os.Stat(shared); err != nil {
		t.Skip("shared fixtures not present beside the repository")
	}
	files, _ := filepath.Glob("testdata/spec/*.json")
	for _, f := range files {
		name := filepath.Base(f)
		var orig []byte
		for _, dir := range []string{"", "handmade", "azure", "gcp"} {
			if b, err := os.ReadFile(filepath.Join(shared, dir, name)); err == nil {
				orig = b
				break
			}
		}
		if orig == nil {
			t.Errorf("%s: not found in the shared fixtures", name)
			continue
		}
		ours, _ := os.ReadFile(f)
		if !bytes.Equal(ours, orig) {
			t.Errorf("%s differs from the shared fixture", name)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	files, _ := filepath.Glob("testdata/spec/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Unmarshal(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out, err := Marshal(e)
		if err != nil {
			t.Fatalf("a valid event must encode: %v", err)
		}
		if _, err := Unmarshal(out); err != nil {
			t.Fatalf("our own output must parse: %v\n%s", err, out)
		}
	})
}

var benchEvent = []byte(`{"specversion":"1.0","id":"A234-1234-1234","source":"/mycontext","type":"com.example.someevent","time":"2018-04-05T17:31:00Z","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","partitionkey":"user-42","datacontenttype":"application/json","data":{"order":"A-7","items":[{"sku":"X1","qty":2}],"total":42.5,"currency":"EUR","note":"leave at the door"}}`)

func BenchmarkUnmarshal(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Unmarshal(benchEvent); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	e, _ := Unmarshal(benchEvent)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Append(buf[:0], e); err != nil {
			b.Fatal(err)
		}
	}
}

// Extensions read through a Context are strings, whether boxed in the
// Context or on the heap, and reading the first boxes nothing more.
func TestContextBoxesExtensions(t *testing.T) {
	c := NewContext()
	for _, kv := range [][2]string{{"id", "1"}, {"source", "/s"}, {"type", "t"}, {"traceparent", "tp"}, {"tracestate", "ts"}, {"third", "x"}, {"fourth", "y"}} {
		if err := c.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	got := c.V1().Extensions
	want := map[string]any{"traceparent": "tp", "tracestate": "ts", "third": "x", "fourth": "y"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("extensions = %#v, want %#v", got, want)
	}
	for k, v := range want {
		if s, ok := got[k].(string); !ok || s != v || got[k] != v {
			t.Errorf("extension %s = %#v, want the string %q", k, got[k], v)
		}
	}
	n := testing.AllocsPerRun(100, func() {
		c := NewContext()
		_ = c.Set("traceparent", "tp")
	})
	if n != 3 { // the Context, the map and its table
		t.Errorf("reading an extension allocates %v times, want 3", n)
	}
	if s := unsafe.Sizeof(Context{}); s > 288 {
		t.Errorf("a Context takes %d bytes: past the 288-byte size class", s)
	}
}

// NoSource agrees with comparing the whole URIRef, for every field of
// url.URL: a field url.URL gains later would fail this test.
func TestNoSource(t *testing.T) {
	var ec event.EventContextV1
	if !NoSource(&ec) {
		t.Fatal("NoSource of the zero context = false")
	}
	v := reflect.ValueOf(&ec.Source.URL).Elem()
	for i := 0; i < v.NumField(); i++ {
		ec := event.EventContextV1{}
		f := reflect.ValueOf(&ec.Source.URL).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("url.URL field %s of kind %s: teach NoSource", v.Type().Field(i).Name, f.Kind())
		}
		if NoSource(&ec) {
			t.Errorf("NoSource with only %s set = true", v.Type().Field(i).Name)
		}
	}
}

// Marshal writes an event in one allocation when its strings need no
// escaping and it has no extensions, whatever the form of its data.
func TestMarshalAllocatesOnce(t *testing.T) {
	for _, tt := range []struct {
		name, ct string
		data     []byte
	}{
		{"no data", "", nil},
		{"JSON", "application/json", []byte(`{"order": "A-7", "qty": 2, "lines": [1, 2, 3]}`)},
		{"text", "text/plain", []byte("hello, world")},
		{"binary", "application/octet-stream", bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)},
	} {
		e := event.New()
		e.SetID("A234-1234-1234")
		e.SetSource("https://example.com/orders/placed")
		e.SetType("com.example.order.placed")
		e.SetSubject("orders/A-7")
		e.SetTime(time.Date(2026, 11, 28, 12, 0, 0, 123456789, time.FixedZone("", 3600)))
		if tt.data != nil {
			e.DataEncoded = tt.data
			e.SetDataContentType(tt.ct)
		}
		if n := testing.AllocsPerRun(50, func() {
			if _, err := Marshal(e); err != nil {
				t.Fatal(err)
			}
		}); n != 1 {
			t.Errorf("%s: %v allocations, want 1", tt.name, n)
		}
	}
}
