package cloudflaretest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/cloudflare/cfbuild"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/syncbuf"
	"github.com/polyfn/polyfn/internal/testproc"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// RequireWorkerd returns cfbuild.WorkerdPath, or skips t, saying how to install
// workerd, when it is absent.
func RequireWorkerd(t testing.TB) string {
	t.Helper()
	p := cfbuild.WorkerdPath()
	if p == "" {
		t.Skip("workerd is not installed: " + cfbuild.WorkerdInstall)
	}
	return p
}

// Build builds pkg for workerd into a fresh folder and returns it: the
// wasm, wasm_exec.js, worker.mjs, and two workerd configurations,
// pcf.WorkerdFile (the App on its own) and cfbuild.DriverConfigFile (the App
// behind the driver Worker, for Cron Triggers and queues). vars become
// text bindings: the program's environment; kv names KV namespace
// bindings, kept in memory.
func Build(t testing.TB, pkg string, vars map[string]string, kv ...string) string {
	t.Helper()
	dir := t.TempDir()
	goBin := filepath.Join(runtimeGOROOT(), "bin", "go")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := cfbuild.Wasm(ctx, goBin, pkg, dir); err != nil {
		t.Fatalf("cloudflaretest: %v", err)
	}
	o := pcf.Options{Name: "polyfn-test", Vars: vars, KV: kv}
	c, err := pcf.Workerd(core.NewApp(), o, "")
	if err != nil {
		t.Fatalf("cloudflaretest: %v", err)
	}
	files, err := cfbuild.DriverFiles(core.NewApp(), o)
	if err != nil {
		t.Fatalf("cloudflaretest: %v", err)
	}
	files[pcf.WorkerdFile] = c
	if err := cfbuild.Write(dir, files); err != nil {
		t.Fatalf("cloudflaretest: %v", err)
	}
	return dir
}

func runtimeGOROOT() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// A Worker is workerd serving a folder on loopback.
type Worker struct {
	// URL is http://127.0.0.1:PORT.
	URL string
	// Started is when workerd was started; Ready when it first accepted a
	// connection.
	Started, Ready time.Time
	cmd            *exec.Cmd
	stop           func()
	logs           *syncbuf.Buffer
}

// Serve starts workerd on config, a file of dir (pcf.WorkerdFile or
// cfbuild.DriverConfigFile, which needs experimental), on a free loopback
// port, waits until it accepts connections, and stops it when t ends.
func Serve(t testing.TB, dir, config string, experimental bool) *Worker {
	t.Helper()
	bin := RequireWorkerd(t)
	addr := "127.0.0.1:" + testproc.FreePort(t)
	args := []string{"serve", config, "--socket-addr", "http=" + addr, "--verbose"}
	if experimental {
		args = append(args, "--experimental")
	}
	w := &Worker{URL: "http://" + addr, logs: &syncbuf.Buffer{}}
	w.cmd = exec.Command(bin, args...)
	w.cmd.Dir = dir
	w.cmd.Stdout, w.cmd.Stderr = w.logs, w.logs
	w.Started = time.Now()
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("cloudflaretest: start workerd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- w.cmd.Wait() }()
	w.stop = sync.OnceFunc(func() {
		_ = w.cmd.Process.Kill()
		<-exited
		exited <- nil
	})
	t.Cleanup(func() {
		w.Stop()
		if t.Failed() {
			t.Logf("workerd output:\n%s", w.Logs())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			w.Ready = time.Now()
			return w
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("cloudflaretest: workerd exited before serving: %v\n%s", err, w.Logs())
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("cloudflaretest: workerd did not listen within 30 s\n%s", w.Logs())
		}
	}
}

// Stop stops workerd; Serve's cleanup calls it too.
func (w *Worker) Stop() { w.stop() }

// Logs returns what workerd printed: the program's standard output and
// error (console.log) among its own lines.
func (w *Worker) Logs() string { return w.logs.String() }

// Post sends body to path with header and returns the answer, its body read.
func (w *Worker) Post(t testing.TB, path string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", w.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatalf("POST %s: read the answer: %v", path, err)
	}
	return resp, b.Bytes()
}
