package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/testproc"
)

func sampleEvent(id, ct string, data []byte) event.Event {
	e := event.New()
	e.SetID(id)
	e.SetSource("https://example.com/echo-test")
	e.SetType("com.example.echo.test")
	e.SetSubject("subject with spaces")
	e.SetTime(time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC))
	e.SetExtension("partitionkey", "k1")
	e.SetExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	if ct == "application/octet-stream" {
		_ = e.SetData(ct, data)
	} else {
		e.SetDataContentType(ct)
		e.DataEncoded = data
	}
	return e
}

// checkEcho asserts that echoed, the data of an echo reply or a line of the
// echo file, is sent in the CloudEvents JSON format.
func checkEcho(t *testing.T, echoed []byte, sent event.Event) {
	t.Helper()
	got, err := cejson.Unmarshal(echoed)
	if err != nil {
		t.Fatalf("echoed event does not parse: %v\n%s", err, echoed)
	}
	for _, c := range []struct{ name, got, want string }{
		{"id", got.ID(), sent.ID()}, {"source", got.Source(), sent.Source()}, {"type", got.Type(), sent.Type()},
		{"subject", got.Subject(), sent.Subject()}, {"datacontenttype", got.DataContentType(), sent.DataContentType()},
		{"partitionkey", fmt.Sprint(got.Extensions()["partitionkey"]), "k1"},
		{"traceparent", fmt.Sprint(got.Extensions()["traceparent"]), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !got.Time().Equal(sent.Time()) {
		t.Errorf("time = %v, want %v", got.Time(), sent.Time())
	}
	if !bytes.Equal(got.Data(), sent.Data()) {
		var a, b any
		if json.Unmarshal(got.Data(), &a) != nil || json.Unmarshal(sent.Data(), &b) != nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("data = %q, want %q", got.Data(), sent.Data())
		}
	}
	if bytes.Contains(echoed, []byte("\n")) {
		t.Errorf("echoed JSON spans lines: %s", echoed)
	}
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	return lines
}

func TestEchoInProcess(t *testing.T) {
	file := filepath.Join(t.TempDir(), "echo.jsonl")
	h, err := local.Handler(newApp(file))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client, err := cloudevents.NewClientHTTP(cehttp.WithTarget(srv.URL + "/echo"))
	if err != nil {
		t.Fatal(err)
	}
	var sent []event.Event
	for _, mode := range []func(context.Context) context.Context{binding.WithForceBinary, binding.WithForceStructured} {
		for i, d := range []struct {
			ct   string
			data []byte
		}{
			{"application/json", []byte(`{"hello":"world","n":[1,2]}`)},
			{"text/plain", []byte("plain text é")},
			{"application/octet-stream", []byte{0, 1, 2, 0xfe, 0xff}},
		} {
			e := sampleEvent(fmt.Sprintf("e-%d-%d", len(sent), i), d.ct, d.data)
			reply, res := client.Request(mode(context.Background()), e)
			if !cloudevents.IsACK(res) || reply == nil {
				t.Fatalf("%s: %v, reply %v", e.ID(), res, reply)
			}
			if reply.Type() != "polyfn.echo.reply" || reply.Source() != "polyfn/examples/echo" || reply.DataContentType() != "application/json" {
				t.Fatalf("reply attributes: %v", reply)
			}
			checkEcho(t, reply.Data(), e)
			sent = append(sent, e)
		}
	}
	lines := readLines(t, file)
	if len(lines) != len(sent) {
		t.Fatalf("echo file has %d lines, want %d", len(lines), len(sent))
	}
	for i, e := range sent {
		checkEcho(t, lines[i], e)
	}
}

func TestHTTPEcho(t *testing.T) {
	h, err := local.Handler(newApp(""))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tests := []struct {
		name, query string
		body        []byte
		wantStatus  int
		wantBody    string
		wantEnc     string
	}{
		{"text", "?a=1&a=2&b=x", []byte("hello"), 200, "hello", ""},
		{"binary", "", []byte{0xff, 0x00, 0x01}, 200, base64.StdEncoding.EncodeToString([]byte{0xff, 0x00, 0x01}), "base64"},
		{"status", "?status=201", nil, 201, "", ""},
		{"cookies", "?cookies=1", nil, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("PUT", srv.URL+"/http-echo"+tt.query, bytes.NewReader(tt.body))
			req.Header.Set("X-Test", "yes")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out httpEchoReply
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || out.Method != "PUT" || out.Path != "/http-echo" || out.Body != tt.wantBody || out.BodyEncoding != tt.wantEnc {
				t.Fatalf("status %d, %+v", resp.StatusCode, out)
			}
			if out.Headers["X-Test"][0] != "yes" {
				t.Fatalf("headers %v", out.Headers)
			}
			if tt.name == "text" && strings.Join(out.Query["a"], ",") != "1,2" {
				t.Fatalf("query %v", out.Query)
			}
			if tt.name == "cookies" && (len(resp.Cookies()) != 2 || len(resp.Header.Values("X-Polyfn-Multi")) != 2) {
				t.Fatalf("cookies %v, multi %v", resp.Cookies(), resp.Header.Values("X-Polyfn-Multi"))
			}
		})
	}
}

// TestEchoBinary builds examples/echo, runs it as a process on a free port,
// sends it events, and stops it with SIGTERM.
func TestEchoBinary(t *testing.T) {
	bin := testproc.Build(t, ".")
	port := testproc.FreePort(t)
	file := filepath.Join(t.TempDir(), "echo.jsonl")
	p := testproc.Start(t, bin, "PORT="+port, "POLYFN_ECHO_FILE="+file)
	base := "http://127.0.0.1:" + port
	p.WaitHTTP(t, base+"/healthz", 10*time.Second)

	client, err := cloudevents.NewClientHTTP(cehttp.WithTarget(base))
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEvent("bin-1", "application/json", []byte(`{"x":1}`))
	reply, res := client.Request(context.Background(), e) // at "/": echo is the only event function
	if !cloudevents.IsACK(res) || reply == nil {
		t.Fatalf("%v %v", res, reply)
	}
	checkEcho(t, reply.Data(), e)

	for _, c := range []struct {
		data   string
		status int
	}{
		{`{"fail":true}`, 500},
		{`{"panic":true}`, 500},
		{`{"sleep_ms":20}`, 200},
	} {
		req, _ := http.NewRequest("POST", base+"/echo", strings.NewReader(c.data))
		req.Header = http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {c.data}, "Ce-Source": {"/t"}, "Ce-Type": {"t"}, "Content-Type": {"application/json"}}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v (server down?)\n%s", c.data, err, p.Logs())
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Fatalf("%s: status %d, want %d: %s", c.data, resp.StatusCode, c.status, body)
		}
	}
	if n := len(readLines(t, file)); n != 4 {
		t.Fatalf("echo file has %d lines, want 4 (every event the handler saw)", n)
	}
	if err := p.Stop(t, 10*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.Logs())
	}
	for _, want := range []string{`"msg":"function panicked"`, `"msg":"function failed"`, `"msg":"stopped"`} {
		if !strings.Contains(p.Logs(), want) {
			t.Errorf("logs lack %s:\n%s", want, p.Logs())
		}
	}
}
