package cehttp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
	"go.yaml.in/yaml/v3"

	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// conformanceDir holds the cloudevents/conformance cases (see SOURCES.txt
// there).
const conformanceDir = "testdata/conformance"

// yamlEvent is one event of the conformance suite's YAML files.
type yamlEvent struct {
	Mode              string `yaml:"Mode"`
	ContextAttributes struct {
		SpecVersion     string            `yaml:"specversion"`
		Type            string            `yaml:"type"`
		Time            string            `yaml:"time"`
		ID              string            `yaml:"id"`
		Source          string            `yaml:"source"`
		Subject         string            `yaml:"subject"`
		DataSchema      string            `yaml:"dataschema"`
		DataContentType string            `yaml:"datacontenttype"`
		Extensions      map[string]string `yaml:"Extensions"`
	} `yaml:"ContextAttributes"`
	TransportExtensions map[string]string `yaml:"TransportExtensions"`
	Data                string            `yaml:"Data"`
}

// attributes returns the event's context attributes and extensions,
// trimmed as the suite's sender trims them, without the empty ones.
func (y *yamlEvent) attributes() map[string]string {
	a := y.ContextAttributes
	m := map[string]string{
		"specversion": a.SpecVersion, "type": a.Type, "time": a.Time, "id": a.ID, "source": a.Source,
		"subject": a.Subject, "dataschema": a.DataSchema, "datacontenttype": a.DataContentType,
	}
	for k, v := range a.Extensions {
		m[k] = v
	}
	for k, v := range m {
		if m[k] = strings.TrimSpace(v); m[k] == "" {
			delete(m, k)
		}
	}
	return m
}

// binary builds the request the suite's `cloudevents send` makes
// (pkg/http.EventToRequest): a ce- header per attribute, Content-Type,
// the transport extensions, the data as the body.
func (y *yamlEvent) binary() (http.Header, []byte) {
	h := http.Header{}
	for k, v := range y.attributes() {
		if k == "datacontenttype" {
			h.Set("Content-Type", v)
		} else {
			h.Set("ce-"+k, v)
		}
	}
	for k, v := range y.TransportExtensions {
		h.Set(k, strings.TrimSpace(v))
	}
	return h, []byte(y.Data)
}

// structured builds the same event in structured mode: every attribute a
// JSON string, the data inline when its media type is JSON and a string
// otherwise.
func (y *yamlEvent) structured() (http.Header, []byte) {
	h := http.Header{"Content-Type": {StructuredContentType}}
	for k, v := range y.TransportExtensions {
		h.Set(k, strings.TrimSpace(v))
	}
	attrs := y.attributes()
	obj := map[string]json.RawMessage{}
	for k, v := range attrs {
		obj[k], _ = json.Marshal(v)
	}
	if mediatype.IsJSON(mediatype.Of(attrs["datacontenttype"])) {
		obj["data"] = json.RawMessage(y.Data)
	} else {
		obj["data"], _ = json.Marshal(y.Data)
	}
	body, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return h, body
}

// TestConformanceYAML sends every event of the conformance suite's YAML
// files in binary mode, as the suite's sender does, and in structured mode
// when the event asks for it or names no mode, and checks that the event
// read has exactly the attributes and data sent, and survives our own
// writers.
func TestConformanceYAML(t *testing.T) {
	n := 0
	for _, file := range []string{"v1.yaml", "v1_minimum.yaml"} {
		f, err := os.Open(filepath.Join(conformanceDir, file))
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(f)
		for i := 0; ; i++ {
			var y yamlEvent
			if err := dec.Decode(&y); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			modes := []string{"binary", "structured"}
			if y.Mode != "" {
				modes = []string{y.Mode}
			}
			for _, mode := range modes {
				name := fmt.Sprintf("%s_%d_%s", strings.TrimSuffix(file, ".yaml"), i, mode)
				t.Run(name, func(t *testing.T) {
					h, body := y.binary()
					if mode == "structured" {
						h, body = y.structured()
					}
					evs, m, err := Read(h, body)
					if err != nil {
						t.Fatalf("%s mode: %v", mode, err)
					}
					if m.String() != mode || len(evs) != 1 {
						t.Fatalf("read %d events in %v mode, want one in %s mode", len(evs), m, mode)
					}
					e := evs[0]
					if got, want := attributesOf(e), y.attributes(); !reflect.DeepEqual(got, want) {
						t.Fatalf("attributes\n got %v\nwant %v", got, want)
					}
					checkData(t, e, y.ContextAttributes.DataContentType, y.Data)
					checkRoundTrip(t, e)
					goldenEvent(t, name, e)
				})
				n++
			}
		}
		f.Close()
	}
	if n != 14 { // v1.yaml: one binary, one structured; v1_minimum.yaml: six in both modes
		t.Fatalf("ran %d cases, want 14", n)
	}
}

// TestConformanceFeature reads each HTTP request of the suite's HTTP
// protocol binding feature, once per example, and checks the attributes
// and the data the scenario expects.
func TestConformanceFeature(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(conformanceDir, "http-protocol-binding.feature"))
	if err != nil {
		t.Fatal(err)
	}
	scenarios := parseFeature(t, string(raw))
	if len(scenarios) != 2 {
		t.Fatalf("read %d scenarios, want 2", len(scenarios))
	}
	n := 0
	for _, sc := range scenarios {
		for _, ex := range sc.examples {
			subst := func(s string) string {
				for k, v := range ex {
					s = strings.ReplaceAll(s, "<"+k+">", v)
				}
				return s
			}
			t.Run(subst(sc.name), func(t *testing.T) {
				h, body := parseRequest(t, subst(sc.request))
				evs, _, err := Read(h, body)
				if err != nil {
					t.Fatal(err)
				}
				if len(evs) != 1 {
					t.Fatalf("read %d events", len(evs))
				}
				e := evs[0]
				got := attributesOf(e)
				for k, v := range sc.attributes {
					if want := subst(v); got[k] != want {
						t.Errorf("attribute %s = %q, want %q", k, got[k], want)
					}
				}
				var gotData, wantData any
				if err := json.Unmarshal(e.Data(), &gotData); err != nil {
					t.Fatalf("data %q: %v", e.Data(), err)
				}
				if err := json.Unmarshal([]byte(sc.data), &wantData); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(gotData, wantData) {
					t.Fatalf("data %s, want %s", e.Data(), sc.data)
				}
				checkRoundTrip(t, e)
			})
			n++
		}
	}
	if n != 4 {
		t.Fatalf("ran %d cases, want 4", n)
	}
}

// attributesOf returns e's attributes and extensions as strings, in their
// canonical forms.
func attributesOf(e event.Event) map[string]string {
	m := map[string]string{"specversion": e.SpecVersion(), "id": e.ID(), "source": e.Source(), "type": e.Type()}
	for k, v := range map[string]string{"subject": e.Subject(), "dataschema": e.DataSchema(), "datacontenttype": e.DataContentType()} {
		if v != "" {
			m[k] = v
		}
	}
	if !e.Time().IsZero() {
		m["time"] = e.Time().Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	for k, v := range e.Extensions() {
		m[k] = fmt.Sprint(v)
	}
	return m
}

// checkData checks that e carries data: byte for byte, or as the same JSON
// value when its media type is JSON.
func checkData(t *testing.T, e event.Event, ct, data string) {
	t.Helper()
	if mediatype.IsJSON(mediatype.Of(ct)) {
		var got, want any
		if err := json.Unmarshal(e.Data(), &got); err != nil {
			t.Fatalf("data %q is not JSON: %v", e.Data(), err)
		}
		_ = json.Unmarshal([]byte(data), &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("data %s, want %s", e.Data(), data)
		}
		return
	}
	if string(e.Data()) != data {
		t.Fatalf("data %q, want %q", e.Data(), data)
	}
}

// checkRoundTrip writes e in binary and structured mode and reads it back
// to the same event.
func checkRoundTrip(t *testing.T, e event.Event) {
	t.Helper()
	want, err := cejson.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := WriteBinary(rec, &e, 200); err != nil {
		t.Fatal(err)
	}
	back, err := ReadBinary(rec.Header(), rec.Body.Bytes())
	if err != nil {
		t.Fatalf("reading our binary output: %v", err)
	}
	if got, _ := cejson.Marshal(back); !bytes.Equal(got, want) {
		t.Fatalf("binary round trip:\n got %s\nwant %s", got, want)
	}
	back, err = cejson.Unmarshal(want)
	if err != nil {
		t.Fatalf("reading our structured output: %v", err)
	}
	if got, _ := cejson.Marshal(back); !bytes.Equal(got, want) {
		t.Fatalf("structured round trip:\n got %s\nwant %s", got, want)
	}
}

func goldenEvent(t *testing.T, name string, e event.Event) {
	t.Helper()
	b, err := cejson.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(conformanceDir, name+".golden"), append(b, '\n'))
}

// scenario is one Scenario Outline of a feature file.
type scenario struct {
	name       string
	request    string            // the HTTP request, dedented
	attributes map[string]string // the attributes table
	data       string            // the expected data, JSON
	examples   []map[string]string
}

// parseFeature reads the Scenario Outlines of a Gherkin feature in the
// shape the conformance suite writes them.
func parseFeature(t *testing.T, src string) []scenario {
	t.Helper()
	var out []scenario
	lines := strings.Split(src, "\n")
	var sc *scenario
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "Scenario Outline:"):
			out = append(out, scenario{name: strings.TrimSpace(strings.TrimPrefix(line, "Scenario Outline:")), attributes: map[string]string{}})
			sc = &out[len(out)-1]
		case sc == nil:
		case line == "Given an HTTP request":
			sc.request, i = docString(lines, i+1)
		case line == "And the data is equal to the following JSON:":
			sc.data, i = docString(lines, i+1)
		case line == "Then the attributes are:":
			rows, next := table(lines, i+1)
			for _, r := range rows[1:] { // a header row, then key | value
				sc.attributes[r[0]] = r[1]
			}
			i = next - 1
		case line == "Examples:":
			rows, next := table(lines, i+1)
			for _, r := range rows[1:] {
				ex := map[string]string{}
				for k, name := range rows[0] {
					ex[name] = r[k]
				}
				sc.examples = append(sc.examples, ex)
			}
			i = next - 1
		}
	}
	for _, sc := range out {
		if sc.request == "" || sc.data == "" || len(sc.attributes) == 0 || len(sc.examples) == 0 {
			t.Fatalf("scenario %q: incomplete: %+v", sc.name, sc)
		}
	}
	return out
}

// docString returns the dedented lines between the """ at lines[i] and the
// next, and the index of the closing one.
func docString(lines []string, i int) (string, int) {
	indent := strings.Index(lines[i], `"""`)
	var b strings.Builder
	for i++; i < len(lines) && strings.TrimSpace(lines[i]) != `"""`; i++ {
		l := lines[i]
		if len(l) >= indent && strings.TrimSpace(l[:indent]) == "" {
			l = l[indent:]
		}
		b.WriteString(l + "\n")
	}
	return b.String(), i
}

// table returns the cells of the | table starting at lines[i], and the
// index of the first line after it.
func table(lines []string, i int) ([][]string, int) {
	var rows [][]string
	for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
		cells := strings.Split(strings.Trim(strings.TrimSpace(lines[i]), "|"), "|")
		for k := range cells {
			cells[k] = strings.TrimSpace(cells[k])
		}
		rows = append(rows, cells)
	}
	return rows, i
}

// parseRequest reads the headers and body of an HTTP/1.1 request written
// as text. The body is what follows the blank line, without the final
// line break: the scenarios' Content-Length counts the lines as the
// feature file indents them, not as sent.
func parseRequest(t *testing.T, text string) (http.Header, []byte) {
	t.Helper()
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		t.Fatalf("no blank line after the headers:\n%s", text)
	}
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(strings.ReplaceAll(head, "\n", "\r\n") + "\r\n\r\n")))
	if err != nil {
		t.Fatalf("request %q: %v", head, err)
	}
	r.Header.Del("Content-Length")
	return r.Header, []byte(strings.TrimSuffix(body, "\n"))
}
