package aws_test

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEmulatorPlatformTimeoutAndSIGTERM runs a handler that ignores its
// context past Lambda's timeout: the emulator answers "Task timed out",
// resets the runtime with SIGTERM (the shutdown hook, then the App's stop
// hook, runs), and the next
// invocation is a cold start that works.
func TestEmulatorPlatformTimeoutAndSIGTERM(t *testing.T) {
	rie := findRIE(t)
	bin := buildLambda(t, "./adapters/aws/internal/sigtermfn", "lambda.norpc", "sigterm")
	shutdownFile := filepath.Join(workDir, "sigterm", "shutdown.txt")
	ports := freePorts(t, 2)
	log := new(logBuffer)
	emu := exec.Command(rie, "--runtime-interface-emulator-address", ports[0], "--runtime-api-address", ports[1], bin)
	emu.Dir = filepath.Dir(bin)
	emu.Env = append(os.Environ(), "AWS_LAMBDA_FUNCTION_TIMEOUT=1", "POLYFN_SHUTDOWN_FILE="+shutdownFile)
	emu.Stdout, emu.Stderr = log, log
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = emu.Process.Signal(syscall.SIGTERM)
		_ = emu.Wait()
	}()
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", ports[0]); err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("emulator did not start")
		}
	}
	invoke := func(payload string) string {
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Post("http://"+ports[0]+"/2015-03-31/functions/function/invocations", "application/json", strings.NewReader(payload))
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return b.String()
	}
	if out := invoke(`{"specversion":"1.0","id":"a","source":"/t","type":"t","data":{"sleep_ms":0}}`); !strings.Contains(out, `"type":"cold.true"`) {
		t.Fatalf("first invoke: %s", out)
	}
	if out := invoke(`{"specversion":"1.0","id":"b","source":"/t","type":"t","data":{"sleep_ms":3000}}`); !strings.Contains(out, "Task timed out") {
		t.Fatalf("want the emulator's timeout, got %s", out)
	}
	if !strings.Contains(log.String(), "GoLangEnableSIGTERM") {
		t.Errorf("no extension registered for SIGTERM, with a shutdown hook and a stop hook:\n%s", log.String())
	}
	var got []byte
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		if got, _ = os.ReadFile(shutdownFile); strings.Count(string(got), "\n") >= 2 {
			break
		}
	}
	if string(got) != "sigterm\nstop\n" {
		t.Errorf("shutdown hooks wrote %q; want sigterm, then stop\nemulator log:\n%s", got, log.String())
	}
	// The runtime exits once its hooks have run, rather than wait to be killed.
	if strings.Contains(log.String(), "did not exit") {
		t.Errorf("the runtime did not exit after its shutdown hooks:\n%s", log.String())
	}
	if out := invoke(`{"specversion":"1.0","id":"c","source":"/t","type":"t","data":{"sleep_ms":0}}`); !strings.Contains(out, `"type":"cold.true"`) {
		t.Errorf("invoke after the timeout: %s (want a working cold start)", out)
	}
	if out := invoke(`{"specversion":"1.0","id":"d","source":"/t","type":"t"}`); !strings.Contains(out, `"type":"cold.false"`) {
		t.Errorf("warm invoke: %s", out)
	}
}
