package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/internal/dynalite"
	"github.com/polyfn/polyfn/internal/testproc"
)

// echoServer is examples/echo running as a process on the local adapter.
type echoServer struct {
	bin, file, base string
	env             []string
	p               *testproc.Proc
}

func startEcho(t *testing.T, bin, url string, env ...string) *echoServer {
	t.Helper()
	s := &echoServer{bin: bin, file: filepath.Join(t.TempDir(), "echo.jsonl")}
	s.env = append([]string{"POLYFN_IDEMPOTENCY_URL=" + url, "POLYFN_ECHO_FILE=" + s.file}, env...)
	s.start(t)
	return s
}

func (s *echoServer) start(t *testing.T) {
	t.Helper()
	port := testproc.FreePort(t)
	s.base = "http://127.0.0.1:" + port
	s.p = testproc.Start(t, s.bin, append(s.env, "PORT="+port)...)
	s.p.WaitHTTP(t, s.base+"/healthz", 10*time.Second)
}

func (s *echoServer) restart(t *testing.T) {
	t.Helper()
	if err := s.p.Stop(t, 10*time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, s.p.Logs())
	}
	s.start(t)
}

// delivery is one answer of the echo function.
type delivery struct {
	status int
	id     string // the reply's ce-id
	body   string
}

// deliver POSTs a binary-mode CloudEvent with the given id and data to /echo.
func (s *echoServer) deliver(t *testing.T, id, data string) delivery {
	t.Helper()
	req, _ := http.NewRequest("POST", s.base+"/echo", strings.NewReader(data))
	req.Header = http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {id}, "Ce-Source": {"/orders"},
		"Ce-Type": {"com.example.order"}, "Content-Type": {"application/json"}}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("deliver %s: %v\n%s", id, err, s.p.Logs())
		return delivery{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return delivery{resp.StatusCode, resp.Header.Get("Ce-Id"), string(body)}
}

// runs counts the lines of the echo file for the event id: how often the
// function ran for it.
func (s *echoServer) runs(t *testing.T, id string) int {
	t.Helper()
	if _, err := os.Stat(s.file); os.IsNotExist(err) {
		return 0
	}
	n := 0
	for _, line := range readLines(t, s.file) {
		var e struct{ ID string }
		if json.Unmarshal(line, &e) == nil && e.ID == id {
			n++
		}
	}
	return n
}

// waitRun waits until the function has started running the event id.
func (s *echoServer) waitRun(t *testing.T, id string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.runs(t, id) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("event %s did not start running\n%s", id, s.p.Logs())
		}
	}
}

// TestIdempotency checks issue 14's contract on the local adapter, with
// the in-process store and with DynamoDB (dynalite).
func TestIdempotency(t *testing.T) {
	bin := testproc.Build(t, ".")
	stores := []struct {
		name string
		url  func(t *testing.T) (string, []string)
	}{
		{"mem", func(*testing.T) (string, []string) { return "mem://", nil }},
		{"dynamodb", useDynalite},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			url, env := st.url(t)
			s := startEcho(t, bin, url, env...)

			// A duplicate that arrives while the first still runs is refused.
			first := make(chan delivery, 1)
			go func() { first <- s.deliver(t, "slow", `{"sleep_ms":1500}`) }()
			s.waitRun(t, "slow")
			if d := s.deliver(t, "slow", `{"sleep_ms":1500}`); d.status < 300 {
				t.Errorf("duplicate during the first run: %d %s, want a non-2xx answer", d.status, d.body)
			}
			want := <-first
			if want.status != 200 || want.id != "slow.reply" {
				t.Fatalf("first run: %+v\n%s", want, s.p.Logs())
			}

			// Once it completed, a duplicate gets the same reply, without a run.
			if got := s.deliver(t, "slow", `{"sleep_ms":1500}`); got != want {
				t.Errorf("duplicate after completion: %+v, want %+v", got, want)
			}
			if n := s.runs(t, "slow"); n != 1 {
				t.Errorf("the function ran %d times for one event, want 1", n)
			}

			// A failed event runs again when redelivered.
			for i := range 2 {
				if d := s.deliver(t, "failing", `{"fail":true}`); d.status != 500 {
					t.Errorf("failing delivery %d: %+v", i, d)
				}
			}
			if n := s.runs(t, "failing"); n != 2 {
				t.Errorf("a failed event ran %d times in 2 deliveries, want 2", n)
			}

			if st.name != "dynamodb" {
				return
			}
			// The record survives a restart.
			s.restart(t)
			if got := s.deliver(t, "slow", `{"sleep_ms":1500}`); got != want {
				t.Errorf("duplicate after a restart: %+v, want %+v", got, want)
			}
			// Two processes share it: of two concurrent deliveries, one runs.
			other := startEcho(t, bin, url, env...)
			answers := make(chan delivery, 2)
			for _, p := range []*echoServer{s, other} {
				go func() { answers <- p.deliver(t, "shared", `{"sleep_ms":300}`) }()
			}
			ok := 0
			for range 2 {
				if d := <-answers; d.status == 200 {
					ok++
				}
			}
			if runs := s.runs(t, "shared") + other.runs(t, "shared"); runs != 1 || ok != 1 {
				t.Errorf("two processes, one event: %d runs and %d successes, want 1 and 1", runs, ok)
			}
		})
	}
}

// useDynalite starts dynalite with a table keyed by "id", and returns the
// store's URL and the environment that points the AWS SDK at it.
func useDynalite(t *testing.T) (string, []string) {
	endpoint := dynalite.Start(t)
	dynalite.CreateTable(t, endpoint, "echo-idempotency", "id")
	var env []string
	for k, v := range dynalite.Env(endpoint) {
		env = append(env, k+"="+v)
	}
	return "dynamodb://echo-idempotency?partition_key=id", env
}

// TestIdempotencyEmulator checks that under the Lambda emulator an SQS
// message delivered in two invocations runs once, and that the second
// invocation reports no failure for it.
func TestIdempotencyEmulator(t *testing.T) {
	if _, err := awstest.FindRIE(); err != nil {
		t.Fatal(err) // a missing emulator is a failure, not a skip
	}
	bin := testproc.Build(t, ".", "-tags", "polyfn.aws,lambda.norpc")
	bootstrap := filepath.Join(filepath.Dir(bin), "bootstrap")
	if err := os.Rename(bin, bootstrap); err != nil {
		t.Fatal(err)
	}
	url, env := useDynalite(t)
	file := filepath.Join(t.TempDir(), "echo.jsonl")
	e, err := awstest.Start(context.Background(), bootstrap,
		append(env, "POLYFN_FUNCTION=echo", "POLYFN_IDEMPOTENCY_URL="+url, "POLYFN_ECHO_FILE="+file)...)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	batch := awstest.SQS("orders", awstest.SQSMessage{ID: "m-1", Body: []byte(`{"amount":42}`)},
		awstest.SQSMessage{ID: "m-fail", Body: []byte(`{"fail":true}`)})
	for i := range 2 { // one invocation at a time
		status, out, err := e.Invoke(context.Background(), batch)
		if err != nil || status != 200 {
			t.Fatalf("invoke %d: %d %s %v\n%s", i, status, out, err, e.Logs())
		}
		var res struct {
			Failures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("invoke %d: %s: %v", i, out, err)
		}
		if len(res.Failures) != 1 || res.Failures[0].ItemIdentifier != "m-fail" {
			t.Errorf("invoke %d: failures %s, want only m-fail", i, out)
		}
	}
	lines := readLines(t, file)
	count := map[string]int{}
	for _, line := range lines {
		var ev struct{ ID string }
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("echo file: %v: %s", err, line)
		}
		count[ev.ID]++
	}
	if count["m-1"] != 1 || count["m-fail"] != 2 {
		t.Errorf("runs per message %v, want m-1 once and m-fail twice\n%s", count, bytes.Join(lines, []byte("\n")))
	}
	if t.Failed() {
		fmt.Println(e.Logs())
	}
}
