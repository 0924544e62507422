// Package npmserver finds and starts, for tests, protocol servers that come
// from npm (dynalite, Azurite): .ci/run installs them into polyfn/npm under
// the user's cache folder. A test skips only when the server is absent and
// npm is too (or under -short), saying how to install it; otherwise a
// missing server fails the test with the install command.
package npmserver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Server names an npm package and the command of it to run.
type Server struct {
	Package, Version string // "dynalite", "4.0.0"
	Command          string // the command in node_modules/.bin
	What             string // what it is, for messages
}

// Find returns the path of s's command: on PATH, else in the npm prefix
// .ci/run installs into.
func (s Server) Find(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath(s.Command); err == nil {
		return p
	}
	prefix := filepath.Join("$HOME", ".cache", "polyfn", "npm")
	if dir, err := os.UserCacheDir(); err == nil {
		prefix = filepath.Join(dir, "polyfn", "npm")
		p := filepath.Join(prefix, "node_modules", ".bin", s.Command)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	install := fmt.Sprintf("npm install --prefix %s %s@%s", prefix, s.Package, s.Version)
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skipf("%s (%s) is not installed and npm is absent to install it: %s", s.Command, s.What, install)
	}
	if testing.Short() {
		t.Skipf("-short: %s is not installed (%s)", s.Command, install)
	}
	t.Fatalf("%s is not installed: run %s (.ci/run does)", s.Command, install)
	return ""
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs s's command with args until t ends, and waits until addr
// accepts connections.
func (s Server) Start(t testing.TB, addr string, args ...string) {
	t.Helper()
	cmd := exec.Command(s.Find(t), args...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", s.Command, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	for deadline := time.Now().Add(15 * time.Second); ; {
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v", s.Command, err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 15s", s.Command, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
