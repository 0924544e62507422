// Package testproc builds and runs the project's programs as real processes
// for end-to-end tests: free ports, readiness, logs and a clean stop.
package testproc

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/syncbuf"
)

// Build compiles the package pkg (a path go build accepts) into a temporary
// directory with the given build flags and returns the binary's path.
func Build(t testing.TB, pkg string, flags ...string) string {
	t.Helper()
	name := filepath.Base(pkg)
	if abs, err := filepath.Abs(pkg); err == nil {
		name = filepath.Base(abs)
	}
	bin := filepath.Join(t.TempDir(), name)
	args := append(append([]string{"build", "-o", bin}, flags...), pkg)
	cmd := exec.Command("go", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
	return bin
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// Proc is a running program.
type Proc struct {
	cmd    *exec.Cmd
	logs   syncbuf.Buffer
	exited chan error
}

// Start runs bin with the current environment plus env ("KEY=value") and
// kills it when the test ends, if it is still running.
func Start(t testing.TB, bin string, env ...string) *Proc {
	t.Helper()
	p := &Proc{cmd: exec.Command(bin), exited: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// Logs returns what the program wrote to standard output and error so far.
func (p *Proc) Logs() string { return p.logs.String() }

// WaitHTTP polls url until it answers or timeout passes.
func (p *Proc) WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.exited:
			t.Fatalf("program exited before answering: %v\n%s", err, p.Logs())
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within %s\n%s", url, timeout, p.Logs())
}

// Stop sends SIGTERM and returns the program's exit error (nil for status 0),
// failing the test if it has not exited within timeout.
func (p *Proc) Stop(t testing.TB, timeout time.Duration) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		return err
	case <-time.After(timeout):
		t.Fatalf("no exit %s after SIGTERM\n%s", timeout, p.Logs())
		return nil
	}
}
