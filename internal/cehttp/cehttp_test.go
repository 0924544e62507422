package cehttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/golden"
)

type fixture struct {
	Mode    string            `json:"mode"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Expect  map[string]string `json:"expect"`
}

// TestBinaryFixtures reads each binary-mode request of testdata (the HTTP
// binding spec's examples and a percent-encoding case) and compares the
// event, in the JSON format, with the .golden file beside it.
func TestBinaryFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 5 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var fx fixture
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatal(err)
			}
			h := http.Header{}
			for k, v := range fx.Headers {
				h.Set(k, v)
			}
			evs, mode, err := Read(h, []byte(fx.Body))
			var got []byte
			if err != nil {
				got = []byte("error: " + err.Error() + "\n")
			} else {
				if mode != Binary || len(evs) != 1 {
					t.Fatalf("mode %v, %d events", mode, len(evs))
				}
				line, err := cejson.Marshal(evs[0])
				if err != nil {
					t.Fatal(err)
				}
				got = append(line, '\n')
				if want, ok := fx.Expect["subject"]; ok && evs[0].Subject() != want {
					t.Fatalf("subject %q, want %q", evs[0].Subject(), want)
				}
			}
			golden.Check(t, strings.TrimSuffix(f, ".json")+".golden", got)
		})
	}
}

func TestModeOf(t *testing.T) {
	tests := []struct {
		ct   string
		ce   bool // a ce- header is present
		want Mode
	}{
		{"application/cloudevents+json", false, Structured},
		{"Application/CloudEvents+JSON; charset=UTF-8", true, Structured},
		{"application/cloudevents-batch+json", false, Batch},
		{"application/cloudevents-batch+json; charset=utf-8", false, Batch},
		{"application/json", true, Binary},
		{"application/cloudevents+avro", true, Binary},
		{"application/json", false, NotCloudEvent},
		{"", false, NotCloudEvent},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ct != "" {
			h.Set("Content-Type", tt.ct)
		}
		if tt.ce {
			h.Set("ce-id", "1")
		}
		if got := ModeOf(h); got != tt.want {
			t.Errorf("ModeOf(%q, ce=%v) = %v, want %v", tt.ct, tt.ce, got, tt.want)
		}
	}
}

func binaryHeaders(kv ...string) http.Header {
	h := http.Header{}
	h.Set("ce-specversion", "1.0")
	h.Set("ce-id", "1")
	h.Set("ce-source", "/s")
	h.Set("ce-type", "t")
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			h.Del(kv[i])
		} else {
			h.Set(kv[i], kv[i+1])
		}
	}
	return h
}

func TestReadBinaryErrors(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want string
	}{
		{"missing id", binaryHeaders("ce-id", ""), "missing required header ce-id"},
		{"missing source", binaryHeaders("ce-source", ""), "missing required header ce-source"},
		{"missing type", binaryHeaders("ce-type", ""), "missing required header ce-type"},
		{"missing specversion", binaryHeaders("ce-specversion", ""), "missing required header ce-specversion"},
		{"bad specversion", binaryHeaders("ce-specversion", "0.3"), `specversion "0.3" is not supported`},
		{"ce-datacontenttype", binaryHeaders("ce-datacontenttype", "text/plain"), "ce-datacontenttype is not allowed"},
		{"bad time", binaryHeaders("ce-time", "noon"), `time "noon" is not an RFC 3339 timestamp`},
		{"bad percent", binaryHeaders("ce-subject", "100%"), "bad percent-encoding"},
		{"invalid UTF-8", binaryHeaders("ce-subject", "%C0%A0"), "not valid UTF-8"},
		{"bad extension name", binaryHeaders("ce-my_ext", "x"), `attribute name "my_ext"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Read(tt.h, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, cejson.ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
	if _, _, err := Read(http.Header{"Content-Type": {"application/json"}}, []byte("{}")); err == nil || !strings.Contains(err.Error(), "no ce-specversion header") {
		t.Fatalf("plain JSON: %v", err)
	}
}

func TestHeaderValueCoding(t *testing.T) {
	tests := []struct{ raw, enc string }{
		{"plain", "plain"},
		{"Euro € 😀", "Euro%20%E2%82%AC%20%F0%9F%98%80"},
		{`say "hi" 100%`, "say%20%22hi%22%20100%25"},
		{"tab\there", "tab%09here"},
	}
	for _, tt := range tests {
		if got := EncodeHeaderValue(tt.raw); got != tt.enc {
			t.Errorf("EncodeHeaderValue(%q) = %q, want %q", tt.raw, got, tt.enc)
		}
		if got, err := DecodeHeaderValue(tt.enc); err != nil || got != tt.raw {
			t.Errorf("DecodeHeaderValue(%q) = %q, %v", tt.enc, got, err)
		}
	}
	if got, _ := DecodeHeaderValue("%e2%82%ac"); got != "€" {
		t.Errorf("lower-case hex must decode: %q", got)
	}
	if got, _ := DecodeHeaderValue(`"quoted \"value\""`); got != `quoted "value"` {
		t.Errorf("quoted-string: %q", got)
	}
	if got, _ := DecodeHeaderValue("%2541"); got != "%41" {
		t.Errorf("decode must run once: %q", got)
	}
}

func TestWriteBinaryRoundTrip(t *testing.T) {
	e := event.New()
	e.SetID("id 1")
	e.SetSource("https://example.com/src")
	e.SetType("com.example.t")
	e.SetSubject("Euro € 😀")
	e.SetDataSchema("https://example.com/schema")
	e.SetExtension("count", 7)
	e.SetExtension("flag", true)
	e.SetExtension("note", `a "quoted" 100%`)
	e.SetDataContentType("application/octet-stream")
	e.DataEncoded = []byte{0, 1, 2, 0xff}
	rec := httptest.NewRecorder()
	if err := WriteBinary(rec, &e, 200); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get("Ce-Subject"); got != "Euro%20%E2%82%AC%20%F0%9F%98%80" {
		t.Fatalf("subject header %q is not percent-encoded", got)
	}
	back, err := ReadBinary(rec.Header(), rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := cejson.Marshal(e)
	got, _ := cejson.Marshal(back)
	// Binary mode carries every extension as a string.
	want = bytes.Replace(want, []byte(`"count":7`), []byte(`"count":"7"`), 1)
	want = bytes.Replace(want, []byte(`"flag":true`), []byte(`"flag":"true"`), 1)
	if !bytes.Equal(got, want) {
		t.Fatalf("round trip:\n got %s\nwant %s", got, want)
	}
	if !back.DataBase64 {
		t.Fatal("octet-stream data must be marked binary")
	}
}

func FuzzReadBinary(f *testing.F) {
	f.Add("1.0", "id", "/src", "type", "Euro%20%E2%82%AC", "2018-04-05T17:31:00Z", "application/json", []byte(`{"a":1}`))
	f.Add("1.0", "", "", "", "%", "x", "", []byte{0xff})
	f.Fuzz(func(t *testing.T, sv, id, src, typ, subject, tm, ct string, body []byte) {
		h := http.Header{}
		for k, v := range map[string]string{"ce-specversion": sv, "ce-id": id, "ce-source": src, "ce-type": typ, "ce-subject": subject, "ce-time": tm, "content-type": ct} {
			if v != "" {
				h.Set(k, v)
			}
		}
		e, err := ReadBinary(h, body)
		if err != nil {
			if !errors.Is(err, cejson.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		rec := httptest.NewRecorder()
		if err := WriteBinary(rec, &e, 200); err != nil {
			t.Fatal(err)
		}
		back, err := ReadBinary(rec.Header(), rec.Body.Bytes())
		if err != nil {
			t.Fatalf("our own binary output must parse: %v", err)
		}
		if back.ID() != e.ID() || back.Subject() != e.Subject() || !bytes.Equal(back.Data(), e.Data()) {
			t.Fatalf("round trip changed the event")
		}
	})
}

func BenchmarkReadBinary(b *testing.B) {
	h := binaryHeaders("ce-time", "2018-04-05T17:31:00Z", "ce-traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "ce-partitionkey", "user-42", "Content-Type", "application/json")
	body := []byte(`{"order":"A-7","items":[{"sku":"X1","qty":2}],"total":42.5,"currency":"EUR"}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ReadBinary(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
