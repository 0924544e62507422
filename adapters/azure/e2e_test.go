package azure_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/providers/azure/funcapp"
)

// echoApp mirrors the functions of examples/echo (names, kinds, triggers),
// to generate its function app files.
func echoApp(t *testing.T) *core.App {
	app := core.NewApp()
	if err := app.Event("echo", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if err := app.HTTP("http-echo", http.NotFoundHandler(), core.OnHTTP("/http-echo")); err != nil {
		t.Fatal(err)
	}
	return app
}

// buildEcho builds examples/echo with -tags polyfn.azure into dir.
func buildEcho(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "handler")
	cmd := exec.Command("go", "build", "-tags", "polyfn.azure", "-o", bin, "./examples/echo")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags polyfn.azure ./examples/echo: %v\n%s", err, out)
	}
	return bin
}

func fixture(t *testing.T, name string) azuretest.Request {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "requests", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r azuretest.Request
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// withSys sets Metadata.sys, so that events built from it are stable.
func withSys(r azuretest.Request, fn, guid string) azuretest.Request {
	r.Metadata["sys"] = azuretest.Encode(map[string]string{"MethodName": fn, "UtcNow": "2024-05-10T16:13:47.1756352Z", "RandGuid": guid})
	return r
}

var t0 = time.Date(2024, 5, 10, 16, 13, 45, 0, time.UTC)

var orderKey = "A-7"

func TestEndToEndEcho(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs examples/echo")
	}
	dir := t.TempDir()
	appDir := filepath.Join(dir, "app")
	bin := buildEcho(t, appDir) // app/handler, as host.json names it

	// The function app's files, as polyfn build writes them.
	files, err := funcapp.Files(echoApp(t), funcapp.HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		p := filepath.Join(appDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The test drives every trigger at "echo", which declares none: drop its
	// generated function.json (an HTTP trigger) so the adapter infers each
	// trigger from the request, and shorten functionTimeout to test the
	// deadline.
	if err := os.Remove(filepath.Join(appDir, "echo", "function.json")); err != nil {
		t.Fatal(err)
	}
	host := funcapp.Host(echoApp(t), funcapp.HostOptions{})
	host.FunctionTimeout = "00:00:02"
	hb, _ := json.MarshalIndent(host, "", "  ")
	if err := os.WriteFile(filepath.Join(appDir, "host.json"), hb, 0o644); err != nil {
		t.Fatal(err)
	}

	echoFile, traceFile := filepath.Join(dir, "echo.jsonl"), filepath.Join(dir, "trace.jsonl")
	ctx := context.Background()
	p, err := azuretest.Start(ctx, "./handler", azuretest.StartOptions{Dir: appDir, Env: []string{"POLYFN_ECHO_FILE=" + echoFile, "POLYFN_TRACE_FILE=" + traceFile}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := p.Stop(); err != nil {
			t.Errorf("stop: %v\nstderr:\n%s", err, p.Stderr())
		}
	}()
	p.Now = func() time.Time { return t0 }
	seen := 0 // lines of echoFile already checked

	pc := azuretest.PartitionContext{FullyQualifiedNamespace: "polyfn.servicebus.windows.net", EventHubName: "telemetry", ConsumerGroup: "$Default", PartitionId: "3"}
	httpReq := func(method, url, ct, body string, hdr map[string]string) *http.Request {
		r := httptest.NewRequest(method, url, strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return r
	}
	events := []struct {
		name, function string
		req            azuretest.Request
		records        int // events the function sees
		http           bool
	}{
		{name: "queue-string", req: fixture(t, "queue-string"), records: 1},
		{name: "queue-json-bundle4", req: fixture(t, "queue-json-bundle4"), records: 1},
		{name: "queue-built", req: withSys(azuretest.Queue("msg", azuretest.QueueMessage{ID: "q-1", PopReceipt: "AgAAAA==", DequeueCount: 2, InsertionTime: t0, ExpirationTime: t0.Add(7 * 24 * time.Hour), NextVisible: t0.Add(10 * time.Minute), Body: []byte(`{"order":1,"note":"héllo"}`)}), "echo", "g-1"), records: 1},
		{name: "servicebus", req: fixture(t, "servicebus"), records: 1},
		{name: "servicebus-amqp-cloudevent", req: fixture(t, "servicebus-amqp-cloudevent"), records: 1},
		{name: "servicebus-batch", req: withSys(azuretest.ServiceBusBatch("msgs", []azuretest.ServiceBusMessage{
			{MessageID: "sb-1", ContentType: "application/json", SessionID: "s", DeliveryCount: 1, SequenceNumber: 10, EnqueuedTime: t0, Body: []byte(`{"a":1}`)},
			{MessageID: "sb-2", Subject: "note", DeliveryCount: 2, SequenceNumber: 11, EnqueuedTime: t0.Add(time.Second), Body: []byte(`just text`)},
		}), "echo", "g-2"), records: 2},
		{name: "eventhub-single", req: fixture(t, "eventhub-single"), records: 1},
		{name: "eventhub-many", req: fixture(t, "eventhub-many"), records: 2},
		{name: "eventhub-many-built", req: withSys(azuretest.EventHubBatch("events", pc, []azuretest.EventHubEvent{
			{SequenceNumber: 100, Offset: "4096", PartitionKey: "dev-1", EnqueuedTime: t0, Body: []byte(`{"t":20.5}`)},
			{SequenceNumber: 101, Offset: "4200", PartitionKey: "dev-1", EnqueuedTime: t0, Body: []byte(`{"t":21}`)},
			{SequenceNumber: 102, Offset: "4300", EnqueuedTime: t0, Body: []byte(`[1,2]`)},
		}, ""), "echo", "g-3"), records: 3},
		{name: "kafka-many", req: fixture(t, "kafka-many"), records: 2},
		{name: "kafka-built", req: withSys(azuretest.KafkaBatch("events", []azuretest.KafkaRecord{
			{Topic: "orders", Partition: 1, Offset: 41, Key: &orderKey, Timestamp: t0, Value: []byte(`{"id":"A-7"}`),
				Headers: []azuretest.KafkaHeader{{Key: "trace", Value: []byte("t-1")}}},
			{Topic: "orders", Partition: 1, Offset: 42, Timestamp: t0, Value: []byte(`{"id":"A-8"}`), Headers: []azuretest.KafkaHeader{
				{Key: "ce_specversion", Value: []byte("1.0")}, {Key: "ce_id", Value: []byte("A-8")}, {Key: "ce_source", Value: []byte("/shop")},
				{Key: "ce_type", Value: []byte("com.example.order")}, {Key: "content-type", Value: []byte("application/json")}}},
			{Topic: "orders", Partition: 2, Offset: 7, Timestamp: t0, Value: []byte("plain text")},
		}, ""), "echo", "g-7"), records: 3},
		{name: "eventgrid-eventgrid-schema", req: fixture(t, "eventgrid-eventgrid-schema"), records: 1},
		{name: "eventgrid-cloudevent-schema", req: fixture(t, "eventgrid-cloudevent-schema"), records: 1},
		{name: "timer", req: fixture(t, "timer"), records: 1},
		{name: "timer-pastdue", req: withSys(azuretest.Timer("timer", &azuretest.ScheduleStatus{Last: t0.Add(-5 * time.Minute), Next: t0.Add(5 * time.Minute), LastUpdated: t0}, true), "echo", "g-4"), records: 1},
		{name: "blob", req: fixture(t, "blob"), records: 1},
		{name: "cosmosdb-bundle3", req: fixture(t, "cosmosdb-bundle3"), records: 1},
		{name: "cosmosdb-bundle4", req: fixture(t, "cosmosdb-bundle4"), records: 1},
		{name: "cosmosdb-built", req: withSys(azuretest.CosmosDB("documents", []json.RawMessage{
			json.RawMessage(`{"id":"a","_rid":"r1","_etag":"\"e1\"","_ts":1715357625,"_lsn":5}`),
			json.RawMessage(`{"id":"b","_rid":"r2","_etag":"\"e2\"","_ts":1715357626,"_lsn":6}`)}, 4), "echo", "g-5"), records: 2},
		{name: "http-cloudevent-binary", req: fixture(t, "http-cloudevent-binary"), records: 1, http: true},
		{name: "http-form", req: fixture(t, "http-form"), records: 1, http: true},
		{name: "http-structured-built", req: withSys(azuretest.HTTP("req", httpReq("POST", "https://polyfn.azurewebsites.net/echo", "application/cloudevents+json",
			`{"specversion":"1.0","id":"s-1","source":"/cli","type":"com.example.s","datacontenttype":"text/plain","data":"hi"}`, nil), nil), "echo", "g-6"), records: 1, http: true},
	}
	for _, tt := range events {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.InvokeID(ctx, "echo", "inv-"+tt.name, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed {
				t.Fatalf("invocation failed: %s\n%s\nstderr:\n%s", res.Reason, res.Body, p.Stderr())
			}
			lines := readLines(t, echoFile)
			got := lines[seen:]
			seen = len(lines)
			if len(got) != tt.records {
				t.Fatalf("echo saw %d events, want %d", len(got), tt.records)
			}
			checkGolden(t, filepath.Join("testdata", "e2e", tt.name+".golden.json"), got)
			// The reply carries what echo saw: to ReturnValue (one object,
			// or an array for a batch), or to the HTTP caller.
			var replies []json.RawMessage
			if tt.http {
				resp, err := res.HTTP()
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != 200 || resp.Header.Get("Ce-Type") != "polyfn.echo.reply" {
					t.Fatalf("HTTP caller gets %d %v", resp.StatusCode, resp.Header)
				}
				replies = []json.RawMessage{mustJSON(t, `{"data":`+string(resp.Body)+`}`)}
			} else if tt.records == 1 {
				replies = []json.RawMessage{res.ReturnValue}
			} else if err := json.Unmarshal(res.ReturnValue, &replies); err != nil {
				t.Fatalf("ReturnValue of a batch: %v: %s", err, res.ReturnValue)
			}
			if len(replies) != len(got) {
				t.Fatalf("%d replies for %d events", len(replies), len(got))
			}
			for i, r := range replies {
				var reply struct{ Data json.RawMessage }
				if err := json.Unmarshal(r, &reply); err != nil {
					t.Fatal(err)
				}
				if !jsonEqual(reply.Data, got[i]) {
					t.Errorf("reply %d data %s\n  is not the event echo saw %s", i, reply.Data, got[i])
				}
			}
			if msgs, trapped := azuretest.Written(res.ReturnValue); trapped {
				t.Errorf("the base64 trap would corrupt the reply: %q", msgs)
			}
		})
	}

	t.Run("http-echo", func(t *testing.T) {
		r := httpReq("POST", "https://polyfn.azurewebsites.net/http-echo?status=201&x=1", "application/json", `{"hello":"world"}`, map[string]string{"X-Test": "yes"})
		res, err := p.Invoke(ctx, "http-echo", azuretest.HTTP("req", r, nil))
		if err != nil || res.Failed {
			t.Fatalf("%v %+v", err, res)
		}
		resp, err := res.HTTP()
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Method, Path, Body string
			Query, Headers     map[string][]string
		}
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			t.Fatalf("%v: %s", err, resp.Body)
		}
		if resp.StatusCode != 201 || got.Method != "POST" || got.Path != "/http-echo" || got.Body != `{"hello":"world"}` ||
			got.Query["x"][0] != "1" || got.Headers["X-Test"][0] != "yes" || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("caller gets %d %v %s", resp.StatusCode, resp.Header, resp.Body)
		}
	})

	// Failures of the function are logged at Error level, to standard error
	// (the host drops the answer's body and Logs); requests the adapter
	// refuses are logged as warnings, to standard output.
	failures := []struct {
		name, function, raw string
		req                 azuretest.Request
		status              int
		stderr, stdout      string
		body                string
	}{
		{name: "handler error", function: "echo", req: azuretest.Queue("msg", azuretest.QueueMessage{ID: "f-1", DequeueCount: 1, Body: []byte(`{"fail":true}`)}), status: 500, stderr: "failure requested by event f-1"},
		{name: "handler panic", function: "echo", req: azuretest.Queue("msg", azuretest.QueueMessage{ID: "p-1", DequeueCount: 1, Body: []byte(`{"panic":true}`)}), status: 500, stderr: "panic requested by event p-1", body: "the function panicked"},
		{name: "functionTimeout", function: "echo", req: azuretest.Queue("msg", azuretest.QueueMessage{ID: "s-1", DequeueCount: 1, Body: []byte(`{"sleep_ms":10000}`)}), status: 500, stderr: "sleep of 10000 ms interrupted"},
		{name: "batch with a failed record", function: "echo", req: azuretest.EventHubBatch("events", pc, []azuretest.EventHubEvent{{SequenceNumber: 1, Body: []byte(`{}`)}, {SequenceNumber: 2, Body: []byte(`{"fail":true}`)}}, ""), status: 500, stderr: `"index":1`, body: "1 of 2 records failed"},
		{name: "kafka batch with a failed record", function: "echo", req: azuretest.KafkaBatch("events", []azuretest.KafkaRecord{
			{Topic: "orders", Offset: 1, Timestamp: t0, Value: []byte(`{}`)}, {Topic: "orders", Offset: 2, Timestamp: t0, Value: []byte(`{"fail":true}`)}}, ""),
			status: 500, stderr: `"index":1`, body: "1 of 2 records failed"},
		{name: "invalid JSON", function: "echo", raw: `{"Data": {`, status: 400, stdout: "not the host's JSON envelope"},
		{name: "missing Data", function: "echo", raw: `{"Metadata":{"sys":{}}}`, status: 400, stdout: `missing \"Data\" object`},
		{name: "unknown function", function: "nosuch", raw: `{"Data":{}}`, status: 404, stdout: `no function \"nosuch\" in the app`},
		{name: "unrecognised trigger", function: "echo", raw: `{"Data":{"x":"\"y\""},"Metadata":{}}`, status: 400, stdout: "cannot tell the trigger"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			var res *azuretest.Result
			var err error
			if tt.raw != "" {
				res, err = p.Post(ctx, tt.function, []byte(tt.raw))
			} else {
				res, err = p.Invoke(ctx, tt.function, tt.req)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !res.Failed || res.Status != tt.status {
				t.Errorf("status %d (failed %v), want %d", res.Status, res.Failed, tt.status)
			}
			if !strings.Contains(string(res.Body), `"error"`) || !strings.Contains(string(res.Body), tt.body) {
				t.Errorf("answer %s holds no error with %q", res.Body, tt.body)
			}
			for _, out := range []struct {
				name, want string
				got        func() string
			}{{"stderr", tt.stderr, p.Stderr}, {"stdout", tt.stdout, p.Stdout}} {
				if out.want == "" {
					continue
				}
				deadline := time.Now().Add(2 * time.Second)
				for !strings.Contains(out.got(), out.want) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if !strings.Contains(out.got(), out.want) {
					t.Errorf("%s lacks %q:\n%s", out.name, out.want, out.got())
				}
			}
			if p.Exited() {
				t.Fatal("the handler exited")
			}
		})
	}
	seen = len(readLines(t, echoFile))

	t.Run("forwarding", func(t *testing.T) {
		// The same binary in an app folder whose host.json turns forwarding
		// on: http-echo gets the raw requests at its route, echo still
		// gets envelopes.
		fwdDir := filepath.Join(dir, "fwd")
		if err := os.MkdirAll(fwdDir, 0o755); err != nil {
			t.Fatal(err)
		}
		h := funcapp.Host(echoApp(t), funcapp.HostOptions{})
		h.CustomHandler.EnableForwardingHTTPRequest = true
		hb, _ := json.MarshalIndent(h, "", "  ")
		if err := os.WriteFile(filepath.Join(fwdDir, "host.json"), hb, 0o644); err != nil {
			t.Fatal(err)
		}
		fp, err := azuretest.Start(ctx, bin, azuretest.StartOptions{Dir: fwdDir})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := fp.Stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		}()
		body := []byte{0, 1, 2, 0xff}
		r := httptest.NewRequest("PUT", "/http-echo?cookies=1&status=202", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/octet-stream")
		resp, err := fp.Forward(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct {
			Method, Path, Body, BodyEncoding string
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 202 || got.Method != "PUT" || got.Path != "/http-echo" || got.Body != "AAEC/w==" || got.BodyEncoding != "base64" {
			t.Errorf("forwarded http-echo: %d %+v", resp.StatusCode, got)
		}
		if n := len(resp.Header.Values("Set-Cookie")); n != 2 {
			t.Errorf("%d Set-Cookie headers, want 2", n)
		}
		if v := resp.Header.Values("X-Polyfn-Multi"); len(v) != 2 {
			t.Errorf("X-Polyfn-Multi = %q, want two values", v)
		}
		res, err := fp.Invoke(ctx, "echo", fixture(t, "queue-string"))
		if err != nil || res.Failed {
			t.Fatalf("envelope with forwarding on: %v %+v", err, res)
		}
	})

	t.Run("still serving", func(t *testing.T) {
		res, err := p.Invoke(ctx, "echo", fixture(t, "queue-string"))
		if err != nil || res.Failed {
			t.Fatalf("%v %+v", err, res)
		}
		if n := len(readLines(t, echoFile)); n != seen+1 {
			t.Errorf("echo file has %d lines, want %d", n, seen+1)
		}
		// POLYFN_TRACE_FILE recorded the same events, in the same order.
		traced, echoed := readLines(t, traceFile), readLines(t, echoFile)
		if len(traced) != len(echoed) {
			t.Fatalf("trace has %d events, echo saw %d", len(traced), len(echoed))
		}
		for i := range traced {
			if !jsonEqual(traced[i], echoed[i]) {
				t.Errorf("event %d: trace %s, echo %s", i, traced[i], echoed[i])
			}
		}
	})
}

func readLines(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []json.RawMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, json.RawMessage(append([]byte(nil), sc.Bytes()...)))
	}
	return out
}

func mustJSON(t *testing.T, s string) json.RawMessage {
	t.Helper()
	if !json.Valid([]byte(s)) {
		t.Fatalf("not JSON: %s", s)
	}
	return json.RawMessage(s)
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// checkGolden compares the events with the golden file as JSON values (the
// echo function's encoder does not order extensions).
func checkGolden(t *testing.T, path string, events []json.RawMessage) {
	t.Helper()
	got, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if golden.Updating() {
		golden.Check(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !jsonEqual(got, want) {
		t.Errorf("the events echo saw differ from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

var _ = azure.Handler // the package under test, run as a process here
