package aws_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/internal/golden"
)

// The emulator tests build examples/echo as a Lambda bootstrap, run it under
// the AWS Lambda Runtime Interface Emulator and check, through
// POLYFN_ECHO_FILE, the exact CloudEvent the function saw.

var (
	buildOnce sync.Once
	bootstrap string
	buildErr  error
	workDir   string
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "polyfn-aws-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	stopAll()
	os.RemoveAll(dir)
	os.Exit(code)
}

// findRIE returns the emulator's path, from PATH or $(go env GOPATH)/bin,
// and fails the test (it does not skip) when it is not installed.
func findRIE(t testing.TB) string {
	t.Helper()
	p, err := awstest.FindRIE()
	if err != nil {
		t.Fatalf("%v (.ci/run installs it)", err)
	}
	return p
}

// buildEcho builds examples/echo for Lambda, once.
func buildEcho(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		bootstrap = filepath.Join(workDir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "polyfn.aws,lambda.norpc", "-o", bootstrap, "./examples/echo")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building examples/echo: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bootstrap
}

// buildLambda builds the main package pkg (relative to the module root)
// for Lambda with tags into workDir/name/bootstrap and returns its path.
func buildLambda(t *testing.T, pkg, tags, name string) string {
	t.Helper()
	bin := filepath.Join(workDir, name, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", tags, "-o", bin, pkg)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// freePorts returns n distinct loopback addresses nothing listens on right
// now: the listeners stay open until all are picked, so no two are equal.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var addrs []string
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs
}

// emulator is one running aws-lambda-rie serving one function of echo.
type emulator struct {
	cmd      *exec.Cmd
	addr     string
	echoFile string
	log      *logBuffer
	mu       sync.Mutex // one invocation at a time: concurrent invokes crash RIE
}

var (
	emuMu sync.Mutex
	emus  = map[string]*emulator{}
)

// emulatorFor returns the emulator serving function fn of examples/echo,
// starting it on first use.
func emulatorFor(t *testing.T, fn string) *emulator {
	t.Helper()
	emuMu.Lock()
	defer emuMu.Unlock()
	if e := emus[fn]; e != nil && e.cmd.ProcessState == nil {
		return e
	}
	e := startEmulator(t, buildEcho(t), filepath.Join(workDir, fn+".jsonl"), "POLYFN_FUNCTION="+fn,
		"POLYFN_TRACE_FILE="+filepath.Join(workDir, fn+".trace.jsonl"))
	emus[fn] = e
	return e
}

// startEmulator starts aws-lambda-rie serving bin, with echoFile as
// POLYFN_ECHO_FILE and env added, and waits until it listens. stopAll
// stops it.
func startEmulator(t *testing.T, bin, echoFile string, env ...string) *emulator {
	t.Helper()
	rie := findRIE(t)
	ports := freePorts(t, 2)
	e := &emulator{addr: ports[0], echoFile: echoFile, log: new(logBuffer)}
	e.cmd = exec.Command(rie, "--runtime-interface-emulator-address", e.addr, "--runtime-api-address", ports[1], bin)
	e.cmd.Dir = workDir
	e.cmd.Env = append(append(os.Environ(), "POLYFN_ECHO_FILE="+echoFile,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=3", "AWS_LAMBDA_FUNCTION_NAME=polyfn-echo", "AWS_REGION=us-east-1"), env...)
	e.cmd.Stdout, e.cmd.Stderr = e.log, e.log
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("starting aws-lambda-rie: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", e.addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = e.cmd.Process.Kill()
			t.Fatalf("aws-lambda-rie did not listen on %s: %s", e.addr, e.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return e
}

func stopAll() {
	emuMu.Lock()
	defer emuMu.Unlock()
	for name, e := range emus {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = e.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = e.cmd.Process.Kill()
			<-done
		}
		delete(emus, name)
	}
}

// logBuffer collects a child process's output; it may be read while the
// process writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// invoke sends payload and returns the status and body. It clears the echo
// file first, so that seen returns this invocation's events only.
func (e *emulator) invoke(t *testing.T, payload []byte) (int, []byte) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := os.Remove(e.echoFile); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Post("http://"+e.addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("invoke: %v\nemulator log:\n%s", err, e.log)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// seen returns the events the echo function recorded, one JSON object each.
func (e *emulator) seen(t *testing.T) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(e.echoFile)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("echo file line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkGolden compares v, as indented JSON, with
// testdata/e2e-<name>.golden.json (go test -update rewrites it).
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	golden.CheckJSON(t, filepath.Join("testdata", "e2e-"+name+".golden.json"), v)
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("result %q is not a JSON object: %v", b, err)
	}
	return m
}

func ids(evs []map[string]any) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprint(e["id"]))
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// httpEchoBody decodes what http-echo answered, from an HTTP response object.
func httpEchoBody(t *testing.T, resp map[string]any) map[string]any {
	t.Helper()
	body, _ := resp["body"].(string)
	if resp["isBase64Encoded"] == true {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return decodeJSON(t, []byte(body))
}

func TestEmulatorHTTP(t *testing.T) {
	emu := emulatorFor(t, "http-echo")
	t.Run("api gateway v1", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-lambda-go-apigw-request.json"))
		resp := decodeJSON(t, out)
		if status != 200 || resp["statusCode"] != 200.0 {
			t.Fatalf("%d %s", status, out)
		}
		got := httpEchoBody(t, resp)
		if got["method"] != "POST" || got["path"] != "/hello/world" || jsonOf(got["query"]) != `{"name":["me"]}` || got["body"] != "{\r\n\t\"a\": 1\r\n}" {
			t.Errorf("http-echo saw %v", got)
		}
		if _, ok := resp["multiValueHeaders"].(map[string]any)["Content-Type"]; !ok {
			t.Errorf("v1 response without multiValueHeaders: %s", out)
		}
	})
	t.Run("api gateway v2 with cookies", func(t *testing.T) {
		p := bytes.Replace(fixture(t, "aws-lambda-go-apigw-v2-request-iam.json"), []byte(`"rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value"`), []byte(`"rawQueryString": "parameter1=value1&parameter1=value2&cookies=1&status=202"`), 1)
		status, out := emu.invoke(t, p)
		resp := decodeJSON(t, out)
		if status != 200 || resp["statusCode"] != 202.0 {
			t.Fatalf("%d %s", status, out)
		}
		if got := jsonOf(resp["cookies"]); got != `["polyfn-a=1; Path=/","polyfn-b=2; Path=/; HttpOnly"]` {
			t.Errorf("cookies = %s", got)
		}
		if h := resp["headers"].(map[string]any); h["X-Polyfn-Multi"] != "one,two" {
			t.Errorf("headers = %v", h)
		}
		got := httpEchoBody(t, resp)
		if jsonOf(got["query"].(map[string]any)["parameter1"]) != `["value1","value2"]` {
			t.Errorf("query = %v", got["query"])
		}
		if c := got["headers"].(map[string]any)["Cookie"]; jsonOf(c) != `["cookie1; cookie2"]` {
			t.Errorf("Cookie = %v", c)
		}
	})
	t.Run("alb multi-value", func(t *testing.T) {
		p := bytes.Replace(fixture(t, "aws-lambda-go-alb-lambda-target-request-multivalue-headers.json"), []byte(`"key": [
      "hello"
    ]`), []byte(`"key": ["hello%20world"], "cookies": ["1"]`), 1)
		status, out := emu.invoke(t, p)
		resp := decodeJSON(t, out)
		if status != 200 || resp["statusCode"] != 200.0 || resp["statusDescription"] != "200 OK" {
			t.Fatalf("%d %s", status, out)
		}
		mv := resp["multiValueHeaders"].(map[string]any)
		if jsonOf(mv["Set-Cookie"]) != `["polyfn-a=1; Path=/","polyfn-b=2; Path=/; HttpOnly"]` || jsonOf(mv["X-Polyfn-Multi"]) != `["one","two"]` {
			t.Errorf("multiValueHeaders = %v", mv)
		}
		if q := httpEchoBody(t, resp)["query"]; jsonOf(q) != `{"cookies":["1"],"key":["hello world"]}` {
			t.Errorf("query = %s (ALB values must be decoded exactly once)", jsonOf(q))
		}
	})
	t.Run("alb single-value", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-lambda-go-alb-lambda-target-request-headers-only.json"))
		resp := decodeJSON(t, out)
		if status != 200 || resp["headers"] == nil || resp["multiValueHeaders"] != nil {
			t.Fatalf("%d %s", status, out)
		}
	})
	t.Run("function url binary body and cookies", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-function-url-binary-cookies-request.json"))
		resp := decodeJSON(t, out)
		if status != 200 || resp["statusCode"] != 201.0 {
			t.Fatalf("%d %s", status, out)
		}
		if got := jsonOf(resp["cookies"]); got != `["polyfn-a=1; Path=/","polyfn-b=2; Path=/; HttpOnly"]` {
			t.Errorf("cookies = %s", got)
		}
		got := httpEchoBody(t, resp)
		if got["method"] != "PUT" || got["bodyEncoding"] != "base64" || got["body"] != "AP8BgH5/" {
			t.Errorf("binary body: %v", got)
		}
		if c := got["headers"].(map[string]any)["Cookie"]; jsonOf(c) != `["session=abc123; theme=dark"]` {
			t.Errorf("Cookie = %v", c)
		}
	})
	t.Run("function url text body", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-lambda-go-lambdaurl-function-url-request-with-headers-and-cookies-and-text-body.json"))
		resp := decodeJSON(t, out)
		if status != 200 || httpEchoBody(t, resp)["body"] != `{"hello": "world"}` {
			t.Fatalf("%d %s", status, out)
		}
	})
	t.Run("sqs to an http function", func(t *testing.T) {
		_, out := emu.invoke(t, fixture(t, "aws-lambda-go-sqs-event.json"))
		if resp := decodeJSON(t, out); resp["errorType"] != "Polyfn.UnsupportedPayload" {
			t.Errorf("%s", out)
		}
	})
}

func TestEmulatorEvents(t *testing.T) {
	emu := emulatorFor(t, "echo")
	t.Run("http cloudevent", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-apigw-v2-cloudevent-request.json"))
		resp := decodeJSON(t, out)
		h, _ := resp["headers"].(map[string]any)
		if status != 200 || resp["statusCode"] != 200.0 || h["Ce-Type"] != "polyfn.echo.reply" || h["Ce-Id"] != "http-ce-1.reply" {
			t.Fatalf("%d %s", status, out)
		}
		checkGolden(t, "http-cloudevent", emu.seen(t))
	})
	t.Run("sqs batch of 5 with a failure and a panic", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-sqs-batch5-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if got := jsonOf(ids(seen)); got != `["m1","m2","m3","m4","m5"]` {
			t.Errorf("echo saw %s; want each record once", got)
		}
		checkGolden(t, "sqs-batch5", seen)
		// The panic did not take the process down.
		if status, out := emu.invoke(t, fixture(t, "aws-lambda-go-sqs-event.json")); status != 200 || string(out) != `{"batchItemFailures":[]}` {
			t.Errorf("next invoke: %d %s", status, out)
		}
		if strings.Contains(emu.log.String(), "INIT START") && strings.Count(emu.log.String(), "INIT START") > 1 {
			t.Errorf("the runtime restarted after a recovered panic:\n%s", emu.log)
		}
	})
	t.Run("sqs fifo", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-sqs-fifo-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[{"itemIdentifier":"fifo-1"},{"itemIdentifier":"fifo-3"}]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if got := jsonOf(ids(seen)); got != `["fifo-1","fifo-2","fifo-4"]` {
			t.Errorf("echo saw %s; fifo-3 follows a failure in its group and must not run", got)
		}
		checkGolden(t, "sqs-fifo", seen)
	})
	t.Run("kinesis failing in the middle", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-kinesis-batch-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[{"itemIdentifier":"49568167373333333333333333333333333333333333333333333333"}]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 3 {
			t.Errorf("echo saw %d records; want 3 (it stops at the first failure)", len(seen))
		}
		checkGolden(t, "kinesis", seen)
	})
	t.Run("eventbridge scheduled event", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-eventbridge-scheduled-event.json"))
		reply := decodeJSON(t, out)
		if status != 200 || reply["type"] != "polyfn.echo.reply" {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 1 || seen[0]["polyfnkind"] != "schedule.fired" || seen[0]["type"] != "Scheduled Event" {
			t.Errorf("echo saw %v", seen)
		}
		checkGolden(t, "eventbridge-scheduled", seen)
	})
	t.Run("s3", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-lambda-go-s3-event.json"))
		if status != 200 || decodeJSON(t, out)["type"] != "polyfn.echo.reply" {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 1 || seen[0]["subject"] != "Happy Face.jpg" || seen[0]["polyfnkind"] != "storage.object.created" {
			t.Errorf("echo saw %v", seen)
		}
		checkGolden(t, "s3", seen)
	})
	t.Run("direct cloudevent with reply", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-cloudevent-direct.json"))
		reply := decodeJSON(t, out)
		if status != 200 || reply["id"] != "direct-1.reply" || reply["source"] != "polyfn/examples/echo" {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if jsonOf(reply["data"]) != jsonOf(seen[0]) {
			t.Errorf("reply data %s; want the event seen %s", jsonOf(reply["data"]), jsonOf(seen[0]))
		}
		checkGolden(t, "direct", seen)
		if trace, err := os.ReadFile(filepath.Join(workDir, "echo.trace.jsonl")); err != nil || !strings.Contains(string(trace), `"id":"direct-1"`) {
			t.Errorf("POLYFN_TRACE_FILE: %q %v", trace, err)
		}
	})
	t.Run("direct cloudevent that fails", func(t *testing.T) {
		_, out := emu.invoke(t, []byte(`{"specversion":"1.0","id":"f-1","source":"/t","type":"t","data":{"fail":true}}`))
		resp := decodeJSON(t, out)
		if resp["errorType"] != "Polyfn.HandlerError" || !strings.Contains(fmt.Sprint(resp["errorMessage"]), "failure requested by event f-1") {
			t.Errorf("%s", out)
		}
		_, out = emu.invoke(t, []byte(`{"specversion":"1.0","id":"p-1","source":"/t","type":"t","data":{"panic":true}}`))
		if resp := decodeJSON(t, out); resp["errorType"] != "Polyfn.Panic" {
			t.Errorf("%s", out)
		}
	})
	t.Run("malformed payload", func(t *testing.T) {
		for _, p := range [][]byte{fixture(t, "aws-lambda-go-dynamodb-event-malformed.2.json"), []byte(`{"hello":"world"}`), []byte(``)} {
			status, out := emu.invoke(t, p)
			resp := decodeJSON(t, out)
			typ, _ := resp["errorType"].(string)
			if status != 200 || !strings.HasPrefix(typ, "Polyfn.") || typ == "Polyfn.HandlerError" || resp["errorMessage"] == "" {
				t.Errorf("payload %.40q: %d %s", p, status, out)
			}
			t.Logf("payload %.40q: %s", p, out)
			if len(emu.seen(t)) != 0 {
				t.Error("the function ran on a malformed payload")
			}
		}
		if status, out := emu.invoke(t, fixture(t, "polyfn-cloudevent-direct.json")); status != 200 || decodeJSON(t, out)["id"] != "direct-1.reply" {
			t.Errorf("next invoke: %d %s", status, out)
		}
	})
	t.Run("handler timeout", func(t *testing.T) {
		start := time.Now()
		_, out := emu.invoke(t, []byte(`{"specversion":"1.0","id":"slow-1","source":"/t","type":"t","data":{"sleep_ms":10000}}`))
		took := time.Since(start)
		resp := decodeJSON(t, out)
		if resp["errorType"] != "Polyfn.Timeout" || took > 3500*time.Millisecond {
			t.Errorf("after %s: %s", took, out)
		}
		if status, out := emu.invoke(t, fixture(t, "polyfn-cloudevent-direct.json")); status != 200 || decodeJSON(t, out)["id"] != "direct-1.reply" {
			t.Errorf("next invoke: %d %s", status, out)
		}
	})
	t.Run("sqs batch running past the deadline", func(t *testing.T) {
		p := bytes.Replace(fixture(t, "polyfn-sqs-batch5-event.json"), []byte(`{\"n\":3}`), []byte(`{\"sleep_ms\":10000}`), 1)
		p = bytes.Replace(p, []byte(`{\"fail\":true}`), []byte(`{\"n\":2}`), 1)
		p = bytes.Replace(p, []byte(`{\"panic\":true}`), []byte(`{\"n\":4}`), 1)
		status, out := emu.invoke(t, p)
		if status != 200 || string(out) != `{"batchItemFailures":[{"itemIdentifier":"m3"},{"itemIdentifier":"m4"},{"itemIdentifier":"m5"}]}` {
			t.Errorf("%d %s", status, out)
		}
	})
}
