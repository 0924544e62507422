package aws_test

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEmulatorFunctionSelection checks that, without POLYFN_FUNCTION, the
// Handler setting (_HANDLER, which the emulator sets from its last
// argument) selects the function, and that a binary with several functions
// and no selection fails at init with a message that says what to set.
func TestEmulatorFunctionSelection(t *testing.T) {
	rie, bin := findRIE(t), buildEcho(t)
	start := func(args ...string) (string, *logBuffer, func()) {
		ports := freePorts(t, 2)
		log := new(logBuffer)
		cmd := exec.Command(rie, append([]string{"--runtime-interface-emulator-address", ports[0], "--runtime-api-address", ports[1]}, args...)...)
		cmd.Dir = workDir
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "POLYFN_FUNCTION=") {
				env = append(env, kv)
			}
		}
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for begin := time.Now(); ; time.Sleep(10 * time.Millisecond) {
			if c, err := net.Dial("tcp", ports[0]); err == nil {
				c.Close()
				break
			}
			if time.Since(begin) > 10*time.Second {
				t.Fatal("emulator did not start")
			}
		}
		return ports[0], log, func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	}
	post := func(addr string, payload []byte) (int, string) {
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Post("http://"+addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}

	addr, _, stop := start(bin, "http-echo")
	status, out := post(addr, fixture(t, "aws-lambda-go-apigw-request.json"))
	stop()
	if status != 200 || !strings.Contains(out, `"statusCode":200`) || !strings.Contains(out, `hello/world`) {
		t.Errorf("_HANDLER=http-echo: %d %s", status, out)
	}

	addr, log, stop := start(bin)
	status, out = post(addr, fixture(t, "polyfn-cloudevent-direct.json"))
	stop()
	if status == 200 && strings.Contains(out, "direct-1.reply") {
		t.Errorf("no selection among several functions must fail: %d %s", status, out)
	}
	if !strings.Contains(log.String(), "set POLYFN_FUNCTION") {
		t.Errorf("the init failure must say what to set; emulator log:\n%s", log.String())
	}
}
