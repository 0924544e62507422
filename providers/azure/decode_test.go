package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/golden"
)

// declare returns the Source of a function declared with trigger t.
func declare(t *testing.T, trig core.Trigger) Source {
	t.Helper()
	app := core.NewApp()
	if err := app.Event("fn", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }, trig); err != nil {
		t.Fatal(err)
	}
	f, _ := app.Function("fn")
	src, err := SourceOf(f)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

const armQueue = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/polyfn/providers/Microsoft.Storage/storageAccounts/polyfn/queueServices/default/queues/scraper-results"

func TestDecodeGolden(t *testing.T) {
	tests := []struct {
		name, file string
		src        func(t *testing.T) Source
	}{
		{name: "queue-string"},
		{name: "queue-json-bundle4", src: func(t *testing.T) Source {
			return declare(t, core.OnQueue("scraper-results").With("azure", "resource", armQueue))
		}},
		{name: "queue-single-encoded"},
		{name: "queue-docs-stale"},
		{name: "queue-embedded-cloudevent"},
		{name: "queue-with-cosmos-input", src: func(t *testing.T) Source {
			return declare(t, core.OnQueue("in").With("azure", "name", "inMsg"))
		}},
		{name: "servicebus", src: func(t *testing.T) Source {
			return declare(t, core.OnQueue("orders").With("azure", "service", "servicebus").With("azure", "name", "mySbMsg"))
		}},
		{name: "servicebus-topic", file: "servicebus", src: func(t *testing.T) Source {
			return declare(t, core.OnTopic("orders", "audit").With("azure", "name", "mySbMsg"))
		}},
		{name: "servicebus-inferred", file: "servicebus"},
		{name: "servicebus-single-encoded"},
		{name: "servicebus-batch", src: func(t *testing.T) Source {
			return declare(t, core.OnQueue("orders").With("azure", "service", "servicebus").With("azure", "cardinality", "many").With("azure", "name", "msgs"))
		}},
		{name: "servicebus-amqp-cloudevent"},
		{name: "eventhub-single"},
		{name: "eventhub-many"},
		{name: "eventhub-binary", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("telemetry").With("azure", "cardinality", "one").With("azure", "dataType", "binary").With("azure", "name", "event"))
		}},
		{name: "eventhub-many-string", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("telemetry").With("azure", "dataType", "string"))
		}},
		{name: "kafka-many", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("kafkaeventhubtest1").With("azure", "service", "kafka"))
		}},
		{name: "kafka-many-inferred", file: "kafka-many"},
		{name: "kafka-single", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("kafkaeventhubtest1").With("azure", "service", "kafka").With("azure", "cardinality", "one").With("azure", "name", "event"))
		}},
		{name: "kafka-single-inferred", file: "kafka-single"},
		{name: "kafka-binary", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("kafkaeventhubtest1").With("azure", "service", "kafka").With("azure", "dataType", "binary"))
		}},
		{name: "kafka-cloudevent", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("orders").With("azure", "service", "kafka"))
		}},
		{name: "eventgrid-eventgrid-schema"},
		{name: "eventgrid-cloudevent-schema"},
		{name: "eventgrid-cloudevent-base64", src: func(t *testing.T) Source {
			return declare(t, core.OnEvent("type"))
		}},
		{name: "timer"},
		{name: "timer-schedulestatus"},
		{name: "timer-pastdue", src: func(t *testing.T) Source {
			return declare(t, core.OnSchedule("*/5 * * * *", ""))
		}},
		{name: "blob"},
		{name: "blob-declared", file: "blob", src: func(t *testing.T) Source {
			return declare(t, core.OnStorage("bpath1").With("azure", "name", "blobIn"))
		}},
		{name: "cosmosdb-bundle3"},
		{name: "cosmosdb-bundle4", src: func(t *testing.T) Source {
			return declare(t, core.OnStream("listings").With("azure", "service", "cosmosdb").With("azure", "databaseName", "gewoscout").With("azure", "partitionKeyPath", "/_partitionKey"))
		}},
		{name: "http-form"},
		{name: "http-json-local"},
		{name: "http-binary"},
		{name: "http-routeparams-cosmos-input"},
		{name: "http-cloudevent-binary"},
		{name: "http-cloudevent-structured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = tt.name
			}
			body, err := os.ReadFile(filepath.Join("testdata", "requests", file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			req, err := ParseRequest(body)
			if err != nil {
				t.Fatal(err)
			}
			req.InvocationID = "11111111-2222-3333-4444-555555555555"
			src := Source{Function: "fn"}
			if tt.src != nil {
				src = tt.src(t)
			}
			inv, err := Decode(req, src)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, inv)
			golden.Check(t, filepath.Join("testdata", "requests", tt.name+".golden.json"), got)
		})
	}
}

// render describes an invocation as indented JSON for golden files.
func render(t *testing.T, inv *Invocation) []byte {
	t.Helper()
	out := struct {
		Binding Binding           `json:"binding"`
		Trigger core.TriggerKind  `json:"trigger"`
		Batch   bool              `json:"batch"`
		Events  []json.RawMessage `json:"events"`
		HTTP    any               `json:"http,omitempty"`
	}{Binding: inv.Binding, Trigger: inv.Trigger, Batch: inv.Batch}
	if out.Binding.Props == nil {
		out.Binding.Props = map[string]any{}
	}
	for _, e := range inv.Events {
		b, err := cejson.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out.Events = append(out.Events, b)
	}
	if r := inv.HTTP; r != nil {
		body, _ := io.ReadAll(r.Body)
		out.HTTP = map[string]any{"method": r.Method, "url": r.URL.String(), "host": r.Host, "header": r.Header, "body": string(body), "remoteAddr": r.RemoteAddr}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body string
		src        Source
		want       string
	}{
		{name: "not json", body: `{`, want: "not the host's JSON envelope"},
		{name: "array", body: `[]`, want: "not the host's JSON envelope"},
		{name: "no data", body: `{"Metadata":{}}`, want: `missing "Data"`},
		{name: "null data", body: `{"Data":null}`, want: `missing "Data"`},
		{name: "empty data", body: `{"Data":{}}`, want: "cannot tell which Data member"},
		{name: "unknown shape", body: `{"Data":{"x":"\"hi\""},"Metadata":{}}`, want: "cannot tell the trigger"},
		{name: "two members", body: `{"Data":{"a":"1","b":"2"}}`, want: "cannot tell which Data member"},
		{name: "declared name missing", body: `{"Data":{"a":"1","b":"2"}}`, src: Source{Trigger: Binding{Type: TypeQueue, Name: "msg"}}, want: `no member "msg"`},
		{name: "unsupported type", body: `{"Data":{"a":"1"}}`, src: Source{Trigger: Binding{Type: "rabbitMQTrigger", Name: "a"}}, want: "not supported"},
		{name: "bad base64", body: `{"Data":{"b":"!!"}}`, src: Source{Trigger: Binding{Type: TypeEventHub, Name: "b", Props: map[string]any{"dataType": "binary"}}}, want: "base64"},
		{name: "batch not array", body: `{"Data":{"b":"\"{}\""}}`, src: Source{Trigger: Binding{Type: TypeEventHub, Name: "b", Props: map[string]any{"cardinality": "many"}}}, want: "not a JSON array"},
		{name: "timer not object", body: `{"Data":{"t":"\"x\""}}`, src: Source{Trigger: Binding{Type: TypeTimer, Name: "t"}}, want: "TimerInfo"},
		{name: "http no method", body: `{"Data":{"req":{"Url":"http://x/"}}}`, src: Source{Trigger: Binding{Type: TypeHTTP, Name: "req"}}, want: "no Method"},
		{name: "http bad ce", body: `{"Data":{"req":{"Url":"http://x/","Method":"POST","Headers":{"ce-specversion":["1.0"]},"Body":"x"}}}`, want: "missing required header ce-id"},
		{name: "eventgrid no type", body: `{"Data":{"e":{"id":"1","eventType":""}}}`, src: Source{Trigger: Binding{Type: TypeEventGrid, Name: "e"}}, want: "needs id and eventType"},
		{name: "cloudevent bad time", body: `{"Data":{"e":{"specversion":"1.0","id":"1","source":"s","type":"t","time":"2023-10-12T20:13:49"}}}`, want: "CloudEvents-schema"},
		{name: "blob no uri", body: `{"Data":{"b":"AA=="},"Metadata":{"Uri":"\"\"","Properties":{}}}`, src: Source{Trigger: Binding{Type: TypeBlob, Name: "b"}}, want: "Uri"},
		{name: "cosmos doc without id", body: `{"Data":{"d":"[{\"x\":1}]"}}`, want: "neither id nor _rid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(tt.body))
			if err == nil {
				_, err = Decode(req, tt.src)
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidRequest) && !errors.Is(err, cejson.ErrInvalid) {
				t.Errorf("error %q wraps neither ErrInvalidRequest nor cejson.ErrInvalid", err)
			}
		})
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		name, raw, want string
		native          bool
	}{
		{"double-encoded string", `"\"aaaaa\""`, `aaaaa`, false},
		{"double-encoded json", `"\"{\\\"a\\\":1}\""`, `{"a":1}`, false},
		{"single-encoded json", `"{\"a\":1}"`, `{"a":1}`, false},
		{"array as json text", `"[59,60]"`, `[59,60]`, false},
		{"double-encoded array", `"\"[1,2]\""`, `[1,2]`, false},
		{"plain string", `"hello"`, `hello`, false},
		{"number as string", `"1"`, `1`, false},
		{"native number", `1`, `1`, false},
		{"native object", ` {"Schedule":{}}`, `{"Schedule":{}}`, true},
		{"native array", `[1]`, `[1]`, true},
		{"null", `null`, ``, false},
		{"string of quotes", `"\"\\\"hi\\\"\""`, `"hi"`, false},
		{"lone quote", `"\""`, `"`, false},
		{"unicode escape", `"\"caf\\u00e9\""`, `café`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, native, err := Value(json.RawMessage(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || native != tt.native {
				t.Errorf("Value(%s) = %q, %v; want %q, %v", tt.raw, got, native, tt.want, tt.native)
			}
		})
	}
	if _, _, err := Value(json.RawMessage(`"unterminated`)); err == nil {
		t.Error("Value of a broken string: no error")
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2022-06-20T06:00:06+00:00", "2022-06-20T06:00:06Z"},
		{"2023-10-12T20:13:49", "2023-10-12T20:13:49Z"},
		{"2023-03-13T01:25:02.25", "2023-03-13T01:25:02.25Z"},
		{"2023-10-12T20:13:49.640002Z", "2023-10-12T20:13:49.640002Z"},
		{"2023-10-12T22:13:49+02:00", "2023-10-12T20:13:49Z"},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if s := got.Format("2006-01-02T15:04:05.999999999Z07:00"); s != tt.want {
			t.Errorf("ParseTime(%q) = %s, want %s", tt.in, s, tt.want)
		}
	}
	if _, err := ParseTime("04/06/2024 15:30:00"); err == nil {
		t.Error("culture-formatted date: no error")
	}
	// Metadata dates take a fast path that must agree with ParseTime.
	for _, s := range append([]string{"2024-02-29T00:00:00", "2023-02-29T00:00:00", "2023-10-12T24:00:00", "2023-10-12T20:13:49.1234567890Z",
		"2023-10-12T20:13:49+24:00", "2023-10-12T20:13:49.Z", "2023-10-12t20:13:49"}, func() (in []string) {
		for _, tt := range tests {
			in = append(in, tt.in)
		}
		return in
	}()...) {
		want, werr := ParseTime(s)
		got, err := metaTime(json.RawMessage(strconv.Quote(s)))
		if (err == nil) != (werr == nil) || !got.Equal(want) {
			t.Errorf("metaTime(%q) = %v, %v; ParseTime gives %v, %v", s, got, err, want, werr)
		}
	}
}

func TestRequestAccessors(t *testing.T) {
	body, err := os.ReadFile("testdata/requests/blob.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := req.Binary("blobIn")
	if err != nil || string(b) != "hello from byte\n" {
		t.Errorf("Binary = %q, %v", b, err)
	}
	if s := req.MetaString("name"); s != "hello.txt" {
		t.Errorf("MetaString(name) = %q", s)
	}
	if s := req.Sys(); s.MethodName != "blobspread" || s.UtcNow.IsZero() {
		t.Errorf("Sys = %+v", s)
	}
	if txt, ok, err := req.Text("blobIn"); !ok || err != nil || string(txt) != "aGVsbG8gZnJvbSBieXRlCg==" {
		t.Errorf("Text = %q %v %v", txt, ok, err)
	}
	if _, err := req.Binary("missing"); err == nil {
		t.Error("Binary(missing): no error")
	}
	ctx := NewContext(context.Background(), req)
	if got, ok := RequestFromContext(ctx); !ok || got != req {
		t.Error("RequestFromContext does not return the request")
	}
	if _, ok := RequestFromContext(context.Background()); ok {
		t.Error("RequestFromContext of an empty context is ok")
	}
}

func TestCloudEventSchemaRoundTrip(t *testing.T) {
	body, err := os.ReadFile("testdata/requests/eventgrid-cloudevent-base64.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"event"} {
		e, err := FromCloudEventSchema(req.Data[name])
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(ToCloudEventSchema(e))
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromCloudEventSchema(b)
		if err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		x, _ := cejson.Marshal(e)
		y, _ := cejson.Marshal(back)
		if !bytes.Equal(x, y) {
			t.Errorf("round trip through messaging.CloudEvent:\n%s\n%s", x, y)
		}
	}
	// JSON data stays "data", not "data_base64" (azcore's asymmetry).
	e, err := FromEventGridSchema(json.RawMessage(`{"id":"1","topic":"/t","eventType":"x","data":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ToCloudEventSchema(e))
	if !bytes.Contains(b, []byte(`"data":{"a":1}`)) {
		t.Errorf("JSON data written as %s", b)
	}
}
