package aws_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkColdStart compares the cold start (launch of the emulator and
// the bootstrap, to the first response) and the stripped binary size of
// the polyfn and the hand-written native function in internal/coldstart,
// and of examples/shop with everything on (OpenTelemetry, EMF, JSON logs,
// idempotency and its resources, in memory) serving fulfil, and of the
// shop written by hand for Lambda alone (nshop: the same SDK clients,
// OpenTelemetry and JWT library, in memory alike). It
// takes about a minute, so it is a benchmark, run once on demand;
// POLYFN_AWS_COLDSTART sets the number of runs per binary (default 21):
//
//	go test ./adapters/aws -run '^$' -bench ColdStart -benchtime 1x -v
func BenchmarkColdStart(b *testing.B) {
	t := b
	n := 21
	fmt.Sscan(os.Getenv("POLYFN_AWS_COLDSTART"), &n)
	rie := findRIE(t)
	payload := []byte(`{"Records":[{"messageId":"m1","body":"{\"id\":\"o-1\",\"total\":1}","attributes":{"SentTimestamp":"1700000000000"},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"}]}`)
	type result struct {
		name  string
		size  int64
		times []time.Duration
	}
	variants := []struct {
		name, pkg, tags string
		env             []string
	}{
		{"native", "./adapters/aws/internal/coldstart/native", "lambda.norpc", nil},
		{"polyfn", "./adapters/aws/internal/coldstart/polyfn", "polyfn.aws,lambda.norpc", nil},
		{"shop", "./examples/shop", "polyfn.aws,lambda.norpc", []string{"POLYFN_FUNCTION=fulfil", "SHOP_API_KEY=k-123",
			"AWS_LAMBDA_LOG_FORMAT=JSON", "POLYFN_IDEMPOTENCY_URL=mem://"}},
		{"nshop", "./adapters/aws/internal/coldstart/nativeshop", "lambda.norpc", []string{"FUNCTION=fulfil"}},
	}
	results := make([]result, len(variants))
	bins := make([]string, len(variants))
	for i, v := range variants {
		dir := filepath.Join(workDir, "cold-"+v.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		bins[i] = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", v.tags, "-trimpath", "-ldflags=-s -w", "-o", bins[i], v.pkg)
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", v.name, err, out)
		}
		st, err := os.Stat(bins[i])
		if err != nil {
			t.Fatal(err)
		}
		results[i] = result{name: v.name, size: st.Size()}
	}
	// Interleave the runs, so that load from other processes hits both alike.
	for run := 0; run < n; run++ {
		for i := range variants {
			results[i].times = append(results[i].times, coldStart(t, rie, bins[i], filepath.Dir(bins[i]), payload, variants[i].env))
		}
	}
	median := func(d []time.Duration) time.Duration {
		s := append([]time.Duration(nil), d...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[len(s)/2]
	}
	base := results[0]
	for _, r := range results {
		s := append([]time.Duration(nil), r.times...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		t.Logf("%-7s size %9d B (%.2fx)  cold start median %6.1f ms (%.2fx)  min %5.1f  max %5.1f  runs %d", r.name, r.size,
			float64(r.size)/float64(base.size), ms(median(r.times)), float64(median(r.times))/float64(median(base.times)), ms(s[0]), ms(s[len(s)-1]), len(s))
	}
	shop, nshop := results[2], results[3]
	t.Logf("shop over the shop written by hand: size %.2fx, cold start %.2fx", float64(shop.size)/float64(nshop.size),
		float64(median(shop.times))/float64(median(nshop.times)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// coldStart launches the emulator with bin and returns the time from the
// launch to the first successful response.
func coldStart(t testing.TB, rie, bin, dir string, payload []byte, env []string) time.Duration {
	t.Helper()
	ports := freePorts(t, 2)
	addr, api := ports[0], ports[1]
	log := new(logBuffer)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api, bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	client := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("emulator did not listen: %s", log.String())
		}
		time.Sleep(200 * time.Microsecond)
	}
	resp, err := client.Post("http://"+addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, log.String())
	}
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d\n%s", resp.StatusCode, log.String())
	}
	return took
}

// TestColdStartBaselinesServe checks that the functions BenchmarkColdStart
// compares do the same work: each reports the message that is not an
// order, and only it. None has anything to run at shutdown, so none
// registers an extension for SIGTERM, a request to the Extensions API in
// every cold start (polyfn's aws.Start registers one only when there are
// hooks: TestEmulatorPlatformTimeoutAndSIGTERM).
func TestColdStartBaselinesServe(t *testing.T) {
	payload := []byte(`{"Records":[{"messageId":"m1","body":"{\"id\":\"o-1\",\"total\":1}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"},` +
		`{"messageId":"m2","body":"{\"total\":2}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"}]}`)
	for _, v := range []struct {
		name, pkg, tags string
		env             []string
	}{
		{"native", "./adapters/aws/internal/coldstart/native", "lambda.norpc", nil},
		{"polyfn", "./adapters/aws/internal/coldstart/polyfn", "polyfn.aws,lambda.norpc", nil},
		{"nshop", "./adapters/aws/internal/coldstart/nativeshop", "lambda.norpc", []string{"FUNCTION=fulfil"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			e := startEmulator(t, buildLambda(t, v.pkg, v.tags, "baseline-"+v.name), filepath.Join(workDir, v.name+".jsonl"), v.env...)
			defer func() {
				_ = e.cmd.Process.Signal(syscall.SIGTERM)
				_ = e.cmd.Wait()
			}()
			code, body := e.invoke(t, payload)
			if want := `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`; code != 200 || string(body) != want {
				t.Errorf("%d %s, want 200 %s\n%s", code, body, want, e.log)
			}
			if strings.Contains(e.log.String(), "GoLangEnableSIGTERM") {
				t.Errorf("an extension was registered for a function without stop hooks:\n%s", e.log)
			}
		})
	}
}
