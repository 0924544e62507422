package gcp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/internal/testproc"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// process is a running function binary.
type process struct {
	*testproc.Proc
	url string
}

// start builds examples/echo with -tags polyfn.gcp, runs it on a free port
// with env, and waits until it answers.
func start(t testing.TB, env ...string) *process {
	t.Helper()
	bin := testproc.Build(t, "../../examples/echo", "-tags", "polyfn.gcp")
	port := testproc.FreePort(t)
	p := &process{Proc: testproc.Start(t, bin, append([]string{"PORT=" + port}, env...)...), url: "http://127.0.0.1:" + port}
	p.WaitHTTP(t, p.url+"/", 10*time.Second)
	return p
}

// stop sends SIGTERM and checks a graceful exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.Stop(t, 15*time.Second); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.Logs())
	}
	if !strings.Contains(p.Logs(), `"message":"stopped"`) {
		t.Errorf("no graceful-stop log line:\n%s", p.Logs())
	}
}

type e2eCase struct {
	name       string
	method     string
	path       string
	header     map[string]string
	body       []byte
	wantStatus int
	recorded   bool // the function saw an event: compare it with testdata/e2e/<name>.golden.json
}

func ceHeaders(ceType, source string, kv ...string) map[string]string {
	h := map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "e2e-" + strings.ReplaceAll(ceType, ".", "-"), "Ce-Type": ceType, "Ce-Source": source,
		"Ce-Time": "2026-01-02T03:04:05.678Z", "Content-Type": "application/json"}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return h
}

// structured wraps data in a structured-mode CloudEvent.
func structured(t testing.TB, ceType, source, subject string, data []byte, ext map[string]string) []byte {
	t.Helper()
	m := map[string]any{"specversion": "1.0", "id": "e2e-structured-" + strings.ReplaceAll(ceType, ".", "-"), "type": ceType, "source": source,
		"time": "2026-01-02T03:04:05.678Z", "datacontenttype": "application/json", "data": json.RawMessage(data)}
	if subject != "" {
		m["subject"] = subject
	}
	for k, v := range ext {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pubsubCarrying(t testing.TB, data []byte, attrs map[string]string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"subscription": "projects/p/subscriptions/s", "message": map[string]any{
		"data": base64.StdEncoding.EncodeToString(data), "attributes": attrs, "messageId": "m-77", "publishTime": "2026-01-02T03:04:05Z"}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func e2eCases(t testing.TB) []e2eCase {
	const (
		pubsubSrc    = "//pubsub.googleapis.com/projects/p/topics/t"
		storageSrc   = "//storage.googleapis.com/projects/_/buckets/some-bucket"
		firestoreSrc = "//firestore.googleapis.com/projects/project-id/databases/(default)"
		schedSrc     = "//cloudscheduler.googleapis.com/projects/p/locations/us-central1/jobs/nightly"
		auditSrc     = "//cloudaudit.googleapis.com/projects/test-project/logs/activity"
		firestoreTyp = "google.cloud.firestore.document.v1.updated"
		ceJSON       = "application/cloudevents+json"
	)
	ct := func(v string) map[string]string { return map[string]string{"Content-Type": v} }
	pubsub := fixture(t, "MessagePublishedData-text.json")
	doc := fixture(t, "DocumentEventData-simple.json")
	sched := fixture(t, "SchedulerJobData-simple.json")
	audit := fixture(t, "LogEntryData-pubsubCreateTopic.json")
	inner := `{"specversion":"1.0","id":"inner-1","source":"/orders","type":"com.example.order.created","datacontenttype":"application/json","data":{"order":42}}`
	return []e2eCase{
		{name: "pubsub-binary", header: ceHeaders("google.cloud.pubsub.topic.v1.messagePublished", pubsubSrc), body: pubsub, wantStatus: 200, recorded: true},
		{name: "pubsub-structured", header: ct(ceJSON), body: fixture(t, "MessagePublishedData.json"), wantStatus: 200, recorded: true},
		{name: "storage-binary", header: ceHeaders("google.cloud.storage.object.v1.finalized", storageSrc, "Ce-Subject", "objects/folder/Test.cs", "Ce-Bucket", "some-bucket"), body: fixture(t, "StorageObjectData-simple.json"), wantStatus: 200, recorded: true},
		{name: "storage-structured", header: ct(ceJSON + "; charset=utf-8"), body: fixture(t, "StorageObjectDataWorkflows.json"), wantStatus: 200, recorded: true},
		{name: "firestore-binary", header: ceHeaders(firestoreTyp, firestoreSrc, "Ce-Subject", "documents/gcf-test/2Vm2mI1d0wIaK2Waj5to", "Ce-Database", "(default)", "Ce-Namespace", "(default)", "Ce-Document", "gcf-test/2Vm2mI1d0wIaK2Waj5to"), body: doc, wantStatus: 200, recorded: true},
		{name: "firestore-structured", header: ct(ceJSON), body: structured(t, firestoreTyp, firestoreSrc, "documents/gcf-test/2Vm2mI1d0wIaK2Waj5to", doc, map[string]string{"database": "(default)", "document": "gcf-test/2Vm2mI1d0wIaK2Waj5to"}), wantStatus: 200, recorded: true},
		{name: "scheduler-binary", header: ceHeaders("google.cloud.scheduler.job.v1.executed", schedSrc, "Ce-Job", "nightly"), body: sched, wantStatus: 200, recorded: true},
		{name: "scheduler-structured", header: ct(ceJSON), body: structured(t, "google.cloud.scheduler.job.v1.executed", schedSrc, "", sched, map[string]string{"job": "nightly"}), wantStatus: 200, recorded: true},
		{name: "audit-binary", header: ceHeaders("google.cloud.audit.log.v1.written", auditSrc, "Ce-Subject", "pubsub.googleapis.com/projects/test-project/topics/test-topic", "Ce-Methodname", "google.pubsub.v1.Publisher.CreateTopic", "Ce-Servicename", "pubsub.googleapis.com"), body: audit, wantStatus: 200, recorded: true},
		{name: "audit-structured", header: ct(ceJSON), body: fixture(t, "LogEntryData-bigqueryjobcompleted.json"), wantStatus: 200, recorded: true},
		{name: "legacy-pubsub", header: ct("application/json"), body: fixture(t, "legacy_pubsub-legacy-input.json"), wantStatus: 200, recorded: true},
		{name: "legacy-pubsub-context", header: ct("application/json"), body: fixture(t, "pubsub_text-legacy-input.json"), wantStatus: 200, recorded: true},
		{name: "legacy-storage", header: ct("application/json"), body: fixture(t, "storage-legacy-input.json"), wantStatus: 200, recorded: true},
		{name: "push-envelope", path: "/projects/p/topics/t", header: ct("application/json"), body: pubsub, wantStatus: 200, recorded: true},
		{name: "pubsub-carrying-binary-cloudevent", header: ceHeaders("google.cloud.pubsub.topic.v1.messagePublished", pubsubSrc), body: pubsubCarrying(t, []byte(`{"order":42}`),
			map[string]string{"ce-specversion": "1.0", "ce-id": "inner-2", "ce-source": "/orders", "ce-type": "com.example.order.created", "ce-time": "2026-01-02T03:04:05Z", "Content-Type": "application/json"}), wantStatus: 200, recorded: true},
		{name: "pubsub-carrying-structured-cloudevent", header: ceHeaders("google.cloud.pubsub.topic.v1.messagePublished", pubsubSrc), body: pubsubCarrying(t, []byte(inner), map[string]string{"content-type": "application/cloudevents+json"}), wantStatus: 200, recorded: true},
		{name: "push-carrying-cloudevent", header: ct("application/json"), body: pubsubCarrying(t, []byte(inner), map[string]string{"content-type": "application/cloudevents+json"}), wantStatus: 200, recorded: true},
		{name: "percent-encoded-subject", header: ceHeaders("google.cloud.storage.object.v1.deleted", storageSrc, "Ce-Subject", "objects/Euro%20%E2%82%AC%20%F0%9F%98%80"), body: fixture(t, "StorageObjectData-simple.json"), wantStatus: 200, recorded: true},
		{name: "function-error", header: ceHeaders("com.example.test", "/e2e"), body: []byte(`{"fail":true}`), wantStatus: 500, recorded: true},
		{name: "function-panic", header: ceHeaders("com.example.test", "/e2e"), body: []byte(`{"panic":true}`), wantStatus: 500, recorded: true},
		{name: "bad-missing-source", header: map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Type": "t", "Content-Type": "application/json"}, body: []byte(`{}`), wantStatus: 400},
		{name: "bad-structured-json", header: ct(ceJSON), body: []byte(`{"specversion":"1.0",`), wantStatus: 400},
		{name: "bad-structured-invalid", header: ct(ceJSON), body: []byte(`{"specversion":"1.0","id":"1","type":"t"}`), wantStatus: 400},
		{name: "bad-batch", header: ct("application/cloudevents-batch+json"), body: []byte(`[]`), wantStatus: 400},
		{name: "bad-plain-text", header: ct("text/plain"), body: []byte("hello"), wantStatus: 400},
		{name: "bad-json-not-an-event", header: ct("application/json"), body: []byte(`{"hello":"world"}`), wantStatus: 400},
		{name: "bad-legacy-type", header: ct("application/json"), body: []byte(`{"context":{"eventId":"1","eventType":"nope","resource":"r"},"data":{}}`), wantStatus: 400},
		{name: "bad-get-no-body", method: "GET", wantStatus: 400},
		{name: "bad-pubsub-carrying-invalid-cloudevent", header: ceHeaders("google.cloud.pubsub.topic.v1.messagePublished", pubsubSrc), body: pubsubCarrying(t, []byte("x"), map[string]string{"ce-specversion": "1.0"}), wantStatus: 400},
		{name: "after-bad-requests", header: ceHeaders("com.example.test", "/e2e"), body: []byte(`{"still":"serving"}`), wantStatus: 200, recorded: true},
	}
}

// send performs one request of c against base.
func send(t testing.TB, client *http.Client, base string, c e2eCase) (int, []byte) {
	t.Helper()
	method := c.method
	if method == "" {
		method = "POST"
	}
	path := c.path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = []string{v} // as given: ce- header values are already encoded
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// readLines returns the JSON lines of the echo file from line n on.
func readLines(t *testing.T, path string, n int) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(b) == 0 {
		lines = nil
	}
	if n > len(lines) {
		t.Fatalf("echo file shrank")
	}
	return lines[n:]
}

// TestEndToEnd builds examples/echo for GCP, serves it as Cloud Functions
// would (PORT, FUNCTION_TARGET) and checks, through POLYFN_ECHO_FILE, the
// exact CloudEvent the function saw for every kind of request.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a binary")
	}
	echoFile := filepath.Join(t.TempDir(), "echo.jsonl")
	p := start(t, "FUNCTION_TARGET=echo", "POLYFN_ECHO_FILE="+echoFile, "POLYFN_LOG_LEVEL=debug")
	client := &http.Client{Timeout: 10 * time.Second}
	seen := 0
	for _, c := range e2eCases(t) {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, client, p.url, c)
			if status != c.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", status, c.wantStatus, body)
			}
			lines := readLines(t, echoFile, seen)
			seen += len(lines)
			if !c.recorded {
				if len(lines) != 0 {
					t.Fatalf("the function ran for a rejected request: %s", lines)
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("the function recorded %d events, want 1", len(lines))
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, lines[0], "", "  "); err != nil {
				t.Fatal(err)
			}
			buf.WriteByte('\n')
			golden.Check(t, filepath.Join("testdata", "e2e", c.name+".golden.json"), buf.Bytes())
		})
	}
	t.Run("reply in binary mode", func(t *testing.T) {
		req, err := http.NewRequest("POST", p.url+"/", strings.NewReader(`{"reply":"please"}`))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range ceHeaders("com.example.test", "/e2e") {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Ce-Type") != "polyfn.echo.reply" || resp.Header.Get("Ce-Id") != "e2e-com-example-test.reply" || !json.Valid(body) {
			t.Errorf("status %d, headers %v, body %s: want the echo reply in binary mode", resp.StatusCode, resp.Header, body)
		}
	})
	t.Run("SIGTERM drains requests in flight", func(t *testing.T) {
		res := make(chan int, 1)
		go func() {
			st, _ := send(t, client, p.url, e2eCase{header: ceHeaders("com.example.test", "/e2e"), body: []byte(`{"sleep_ms":400}`)})
			res <- st
		}()
		time.Sleep(150 * time.Millisecond)
		p.stop(t)
		if st := <-res; st != 200 {
			t.Errorf("request in flight got %d, want 200", st)
		}
	})
}

// TestEndToEndHTTP serves the HTTP function http-echo as FUNCTION_TARGET and
// checks that it gets every path and the raw body byte for byte.
func TestEndToEndHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a binary")
	}
	p := start(t, "FUNCTION_TARGET=http-echo")
	client := &http.Client{Timeout: 10 * time.Second}
	binaryBody := make([]byte, 70000)
	for i := range binaryBody {
		binaryBody[i] = byte(i*7 + i/256)
	}
	tests := []struct {
		name, method, path string
		body               []byte
		wantStatus         int
	}{
		{"json body", "POST", "/", []byte(`{"res":"PASS", "spaced" : [1, 2.50, "é"]}` + "\n"), 200},
		{"binary body", "POST", "/upload/x?y=1", binaryBody, 200},
		{"empty GET", "GET", "/any/where", nil, 200},
		{"status", "PUT", "/?status=418", []byte("teapot"), 418},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, client, p.url, e2eCase{method: tt.method, path: tt.path, body: tt.body, header: map[string]string{"Content-Type": "application/octet-stream"}})
			if status != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", status, tt.wantStatus, body)
			}
			var got struct {
				Method, Path, Body, BodyEncoding string
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			raw := []byte(got.Body)
			if got.BodyEncoding == "base64" {
				var err error
				if raw, err = base64.StdEncoding.DecodeString(got.Body); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(raw, tt.body) {
				t.Errorf("body differs: got %d bytes, want %d", len(raw), len(tt.body))
			}
			if wantPath, _, _ := strings.Cut(tt.path, "?"); got.Method != tt.method || got.Path != wantPath {
				t.Errorf("method, path = %s %s; want %s %s", got.Method, got.Path, tt.method, wantPath)
			}
		})
	}
	p.stop(t)
}

// TestEndToEndNoTarget serves every function at its own path, as without
// FUNCTION_TARGET, and checks that an unknown FUNCTION_TARGET fails start-up.
func TestEndToEndNoTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a binary")
	}
	p := start(t)
	client := &http.Client{Timeout: 10 * time.Second}
	if st, body := send(t, client, p.url, e2eCase{path: "/echo", header: ceHeaders("com.example.test", "/e2e"), body: []byte(`{}`)}); st != 200 {
		t.Errorf("/echo: %d %s", st, body)
	}
	if st, body := send(t, client, p.url, e2eCase{path: "/http-echo", body: []byte(`x`)}); st != 200 {
		t.Errorf("/http-echo: %d %s", st, body)
	}
	if st, _ := send(t, client, p.url, e2eCase{path: "/nope", body: []byte(`x`)}); st != 404 {
		t.Errorf("/nope: %d, want 404", st)
	}
	p.stop(t)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testproc.Build(t, "../../examples/echo", "-tags", "polyfn.gcp"))
	cmd.Env = append(os.Environ(), "PORT="+testproc.FreePort(t), "FUNCTION_TARGET=nope")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), `no matching function found with name "nope"`) {
		t.Errorf("FUNCTION_TARGET=nope: err %v, output %s", err, out)
	}
}
