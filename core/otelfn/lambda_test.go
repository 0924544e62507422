package otelfn_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/aws/awstest"
)

// The AWS contract under the Lambda emulator (POLYFN_FUNCTION=fulfil,
// AWS_LAMBDA_LOG_FORMAT=JSON): an SQS record with an AWSTraceHeader makes
// the exported spans include that trace id before the invoke answers; log
// lines are JSON with requestId; an EMF line carries a ColdStart metric.
func TestLambdaContract(t *testing.T) {
	rcv := startReceiver(t) // the emulator's function reaches it on loopback

	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "polyfn.aws,lambda.norpc", "-o", bin, "./adapters/aws/internal/otelfn")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	emu, err := awstest.Start(ctx, bin, "POLYFN_FUNCTION=fulfil", "AWS_LAMBDA_LOG_FORMAT=JSON",
		"POLYFN_METRICS_NAMESPACE=Shop", "OTEL_EXPORTER_OTLP_ENDPOINT="+rcv.url,
		"OTEL_BSP_SCHEDULE_DELAY=600000", "OTEL_METRIC_EXPORT_INTERVAL=600000")
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Stop()
	const sender = "5759e988bd862e3fe1be46a994272793"
	payload := strings.Replace(string(awstest.SQS("orders", awstest.SQSMessage{ID: "m-1", Body: []byte(`{"id":"o-1"}`)})),
		`"ApproximateReceiveCount"`, `"AWSTraceHeader":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1","ApproximateReceiveCount"`, 1)
	if !strings.Contains(payload, "AWSTraceHeader") {
		t.Fatalf("payload has no attribute to add the header beside: %s", payload)
	}
	status, body, err := emu.Invoke(ctx, []byte(payload))
	if err != nil || status != http.StatusOK {
		t.Fatalf("invoke: %d %s %v\n%s", status, body, err, emu.Logs())
	}
	// Before anything else: what the receiver holds now was exported
	// before the invocation answered.
	spans, _ := rcv.snapshot()
	found := false
	for _, s := range spans {
		found = found || hex.EncodeToString(s.TraceId) == sender
	}
	if !found {
		t.Errorf("no span in the sender's trace %s exported before the answer: %d spans\n%s", sender, len(spans), emu.Logs())
	}
	// The function wrote both lines before it answered, but the emulator
	// copies its output to ours asynchronously: wait for them a little.
	var logLine, emfLine map[string]any
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sc := bufio.NewScanner(strings.NewReader(emu.Logs()))
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal([]byte(sc.Text()), &m) != nil {
				continue
			}
			switch {
			case m["message"] == "fulfilled":
				logLine = m
			case m["_aws"] != nil && m["ColdStart"] != nil:
				emfLine = m
			}
		}
		if logLine != nil && emfLine != nil || time.Now().After(deadline) {
			break
		}
	}
	if logLine == nil || logLine["requestId"] == nil || logLine["requestId"] == "" || logLine["trace_id"] != sender || logLine["level"] != "INFO" {
		t.Errorf("log line %v: want JSON with requestId, level INFO and the sender's trace\n%s", logLine, emu.Logs())
	}
	if emfLine == nil || emfLine["ColdStart"] != 1.0 || emfLine["function"] != "fulfil" {
		t.Errorf("EMF line %v: want ColdStart 1 for fulfil\n%s", emfLine, emu.Logs())
	}
}
