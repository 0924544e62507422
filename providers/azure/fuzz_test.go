package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// seedRequests adds every testdata request to f's corpus.
func seedRequests(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "requests", "*.json"))
	for _, p := range files {
		if filepath.Ext(p) == ".json" && !isGolden(p) {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func isGolden(p string) bool { return len(p) > 12 && p[len(p)-12:] == ".golden.json" }

var fuzzBindings = []Binding{
	{},
	{Type: TypeHTTP, Name: "req"},
	{Type: TypeQueue, Name: "msg"},
	{Type: TypeServiceBus, Name: "msg"},
	{Type: TypeServiceBus, Name: "msgs", Props: map[string]any{"cardinality": "many"}},
	{Type: TypeEventHub, Name: "event", Props: map[string]any{"dataType": "binary"}},
	{Type: TypeEventHub, Name: "events", Props: map[string]any{"cardinality": "many"}},
	{Type: TypeEventHub, Name: "events", Props: map[string]any{"cardinality": "many", "dataType": "binary"}},
	{Type: TypeEventGrid, Name: "event"},
	{Type: TypeTimer, Name: "timer"},
	{Type: TypeBlob, Name: "blob", Props: map[string]any{"dataType": "binary"}},
	{Type: TypeCosmosDB, Name: "documents"},
	{Type: TypeKafka, Name: "events", Props: map[string]any{"cardinality": "many", "dataType": "string"}},
	{Type: TypeKafka, Name: "events", Props: map[string]any{"cardinality": "many", "dataType": "binary"}},
	{Type: TypeKafka, Name: "event", Props: map[string]any{"cardinality": "one"}},
}

// FuzzDecode runs every decoder (inferred and each declared trigger type)
// on arbitrary request bodies: no panic, and every decoded event is valid
// and encodable.
func FuzzDecode(f *testing.F) {
	seedRequests(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseRequest(body)
		if err != nil {
			return
		}
		for _, b := range fuzzBindings {
			inv, err := Decode(req, Source{Function: "fn", Trigger: b})
			if err != nil {
				continue
			}
			for _, e := range inv.Events {
				if err := cejson.Validate(e); err != nil {
					t.Fatalf("binding %s: invalid event: %v", b.Type, err)
				}
				if _, err := cejson.Marshal(e); err != nil {
					t.Fatalf("binding %s: event does not encode: %v", b.Type, err)
				}
			}
		}
	})
}

// FuzzValue checks the host-encoding decoder against its own inverse: a
// string double-encoded as the host does comes back unchanged.
func FuzzValue(f *testing.F) {
	for _, s := range []string{"aaaaa", `{"a":1}`, `"quoted"`, "[1,2]", "", `\`, "caf\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		inner, _ := json.Marshal(s)
		outer, _ := json.Marshal(string(inner))
		got, native, err := Value(outer)
		if err != nil {
			t.Fatalf("Value(%s): %v", outer, err)
		}
		if native {
			t.Fatalf("Value(%s) says native", outer)
		}
		var want string
		_ = json.Unmarshal(inner, &want)
		if string(got) != want {
			t.Fatalf("Value(%s) = %q, want %q", outer, got, want)
		}
		_, _, _ = Value(json.RawMessage(s))
	})
}

// FuzzHTTPRequest builds requests from arbitrary HTTP trigger values.
func FuzzHTTPRequest(f *testing.F) {
	f.Add([]byte(`{"Url":"https://x/a?b=1","Method":"POST","Headers":{"Content-Type":["application/octet-stream"]},"Params":{"id":"1"},"Body":"AQID"}`))
	f.Add([]byte(`{"Url":"http://localhost:7071/api/endpoint","Method":"GET","Query":"{}"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, body, err := HTTPRequest(context.Background(), raw)
		if err == nil && int64(len(body)) != r.ContentLength {
			t.Fatalf("ContentLength %d, body %d bytes", r.ContentLength, len(body))
		}
	})
}

// FuzzEventGrid runs both Event Grid schema decoders.
func FuzzEventGrid(f *testing.F) {
	for _, p := range []string{"eventgrid-cloudevent-schema", "eventgrid-cloudevent-base64", "eventgrid-eventgrid-schema"} {
		b, err := os.ReadFile(filepath.Join("testdata", "requests", p+".json"))
		if err != nil {
			f.Fatal(err)
		}
		req, err := ParseRequest(b)
		if err != nil {
			f.Fatal(err)
		}
		for _, v := range req.Data {
			f.Add([]byte(v))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, dec := range []func(json.RawMessage) (core.Event, error){FromCloudEventSchema, FromEventGridSchema} {
			e, err := dec(raw)
			if err != nil {
				continue
			}
			if err := cejson.Validate(e); err != nil {
				t.Fatalf("invalid event: %v", err)
			}
		}
	})
}

// FuzzParseTime parses arbitrary host dates, and checks that metadata dates
// (JSON strings) read as ParseTime reads them.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2022-06-20T06:00:06+00:00", "2023-10-12T20:13:49", "2023-03-13T01:25:02.25", "", "2024-02-29T23:59:59.123456789-08:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err == nil && s != "" && tm.IsZero() && s[0] != '0' {
			t.Fatalf("ParseTime(%q) gave the zero time without error", s)
		}
		if strings.ContainsAny(s, `"\`) {
			return // metadata values are unquoted twice (the host's double encoding)
		}
		raw, _ := json.Marshal(s)
		meta, merr := metaTime(raw)
		if (merr == nil) != (err == nil) || merr == nil && (!meta.Equal(tm) || meta.Location() != time.UTC) {
			t.Fatalf("metaTime(%s) = %v, %v; ParseTime gives %v, %v", raw, meta, merr, tm, err)
		}
	})
}

// FuzzParseResponse reads arbitrary answers as the host does, and
// re-encodes what it read.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`{"Outputs":{"res":{"statusCode":201}},"Logs":["a"],"ReturnValue":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b)
		if err != nil {
			return
		}
		out := r.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("AppendJSON gave invalid JSON: %s", out)
		}
	})
}

// FuzzParseRequest checks the reflection-free envelope reader against
// encoding/json: same acceptance, same members, same raw values.
func FuzzParseRequest(f *testing.F) {
	seedRequests(f)
	f.Add([]byte(`{"data":{"a":1},"DATA":{"b":2}}`))
	f.Add([]byte(` {"Data" : {"x" : "y" , "z":[1,{"q":"\"}"}]} , "Metadata":null } `))
	f.Fuzz(func(t *testing.T, body []byte) {
		var want struct {
			Data, Metadata map[string]json.RawMessage
		}
		werr := json.Unmarshal(body, &want)
		got, err := ParseRequest(body)
		if werr != nil || want.Data == nil {
			if err == nil {
				t.Fatalf("ParseRequest accepted what encoding/json rejects (%v): %q", werr, body)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseRequest(%q): %v", body, err)
		}
		for _, pair := range []struct{ got, want map[string]json.RawMessage }{{got.Data, want.Data}, {got.Metadata, want.Metadata}} {
			if len(pair.got) != len(pair.want) {
				t.Fatalf("members %v, encoding/json gives %v", pair.got, pair.want)
			}
			for k, v := range pair.want {
				if !bytes.Equal(bytes.TrimSpace(pair.got[k]), bytes.TrimSpace(v)) {
					t.Fatalf("member %q = %s, encoding/json gives %s", k, pair.got[k], v)
				}
			}
		}
	})
}
