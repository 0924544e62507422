package testproc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// StartLimited is Start with the program's open-file limit (soft and hard)
// set to nofile, through the shell's ulimit, as on a host with a low
// default: the Go runtime raises only the soft limit, up to the hard one.
func StartLimited(t testing.TB, bin string, nofile int, env ...string) *Proc {
	t.Helper()
	script := filepath.Join(t.TempDir(), "limited.sh")
	body := fmt.Sprintf("#!/bin/sh\nulimit -n %d && exec %q\n", nofile, bin)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return Start(t, script, env...)
}

// PeakRSS returns the program's peak resident set size so far, in bytes
// (VmHWM in /proc/<pid>/status; Linux only).
func (p *Proc) PeakRSS(t testing.TB) int64 {
	t.Helper()
	return p.status(t, "VmHWM:")
}

// RSS returns the program's resident set size now, in bytes.
func (p *Proc) RSS(t testing.TB) int64 {
	t.Helper()
	return p.status(t, "VmRSS:")
}

func (p *Proc) status(t testing.TB, key string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("reading the program's memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s %q: %v", key, v, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("/proc/%d/status has no %s", p.cmd.Process.Pid, key)
	return 0
}

// Flood opens n connections to addr and leaves them idle: the even ones
// after one request (get, such as "GET /healthz") answered on them, kept
// alive; the odd ones without sending a byte. It closes them when the test
// ends, and returns how many it could open (it stops at the first error).
func Flood(t testing.TB, addr string, n int, get string) int {
	t.Helper()
	method, path, _ := strings.Cut(get, " ")
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Logf("flood: connection %d: %v", i, err)
			return i
		}
		t.Cleanup(func() { c.Close() })
		if i%2 == 1 {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\n\r\n", method, path, addr)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Logf("flood: request on connection %d: %v", i, err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		_ = c.SetDeadline(time.Time{})
	}
	return n
}

// TinyBatch returns a CloudEvents JSON batch (application/cloudevents-batch+json)
// of tiny events, about size bytes long, and the number of its events.
func TinyBatch(size int) ([]byte, int) {
	b := make([]byte, 0, size+64)
	b = append(b, '[')
	n := 0
	for len(b) < size-64 {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"specversion":"1.0","id":"`...)
		b = strconv.AppendInt(b, int64(n), 36)
		b = append(b, `","source":"/","type":"t"}`...)
		n++
	}
	return append(b, ']'), n
}

// SlowBodies opens n connections to addr that each send the headers of
// a POST to path declaring a body of size bytes, then one byte a second.
// It returns a channel that receives, for each connection, how long the
// server took to close it (or the test's end).
func SlowBodies(t testing.TB, addr, path string, n, size int) <-chan time.Duration {
	t.Helper()
	closed := make(chan time.Duration, n)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("slow body %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
		start := time.Now()
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/cloudevents-batch+json\r\nContent-Length: %d\r\n\r\n[", path, addr, size)
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for range tick.C {
				if _, err := c.Write([]byte{' '}); err != nil {
					break
				}
			}
		}()
		go func() {
			_, _ = io.Copy(io.Discard, c) // until the server closes it
			closed <- time.Since(start)
		}()
	}
	return closed
}

// Siege describes an HTTP adapter's program under siege (see Besiege).
type Siege struct {
	// Addr is the program's host:port.
	Addr string
	// Big sends one big request, such as a 10 MiB CloudEvents batch, and
	// returns an error unless it gets the answer it must. Besiege sends it
	// once, then four times at once.
	Big func() error
	// Probe sends one ordinary request on a new connection; it must be
	// answered within ProbeWithin under every attack.
	Probe       func() error
	ProbeWithin time.Duration
	// KeepAlive is the request ("GET /healthz") the flood's keep-alive
	// connections send once; SlowPath is where slow bodies are posted.
	KeepAlive, SlowPath string
	// Conns is the size of the flood of idle connections, Slow the number
	// of slow bodies (which must be cut within SlowCut).
	Conns, Slow int
	SlowCut     time.Duration
	// MaxRSS bounds the program's peak resident set size, in bytes.
	MaxRSS int64
}

// Besiege checks that p stays responsive and within its memory bound under
// s's big requests, a flood of idle connections and slow bodies, and logs
// what it measured.
func Besiege(t *testing.T, p *Proc, s Siege) {
	t.Helper()
	probe := func(during string) {
		t.Helper()
		start := time.Now()
		if err := s.Probe(); err != nil {
			t.Fatalf("%s: an ordinary request: %v\n%s", during, err, p.Logs())
		}
		d := time.Since(start)
		t.Logf("%s: an ordinary request answered in %s; RSS %.1f MiB, peak %.1f MiB", during, d.Round(time.Microsecond), mib(p.RSS(t)), mib(p.PeakRSS(t)))
		if d > s.ProbeWithin {
			t.Errorf("%s: an ordinary request took %s, more than %s", during, d, s.ProbeWithin)
		}
	}
	probe("at rest")
	big := func() {
		t.Helper()
		start := time.Now()
		if err := s.Big(); err != nil {
			t.Errorf("big request: %v", err)
		}
		t.Logf("big request answered in %s", time.Since(start).Round(time.Millisecond))
	}
	big()
	probe("after one big request")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); big() }()
	}
	wg.Wait()
	probe("after four big requests at once")
	opened := Flood(t, s.Addr, s.Conns, s.KeepAlive)
	probe(fmt.Sprintf("under %d idle connections", opened))
	cut := SlowBodies(t, s.Addr, s.SlowPath, s.Slow, 10<<20)
	probe(fmt.Sprintf("under %d slow bodies", s.Slow))
	var worst time.Duration
	for i := 0; i < s.Slow; i++ {
		select {
		case d := <-cut:
			worst = max(worst, d)
		case <-time.After(s.SlowCut + 5*time.Second):
			t.Fatalf("%d of %d slow bodies still held after %s", s.Slow-i, s.Slow, s.SlowCut+5*time.Second)
		}
	}
	t.Logf("%d slow bodies cut within %s", s.Slow, worst.Round(time.Millisecond))
	if worst > s.SlowCut {
		t.Errorf("slow bodies held up to %s, more than %s", worst, s.SlowCut)
	}
	probe("after the slow bodies")
	if peak := p.PeakRSS(t); peak > s.MaxRSS {
		t.Errorf("peak RSS %.1f MiB, over the bound of %.1f MiB", mib(peak), mib(s.MaxRSS))
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// Expect sends body to url with c (POST, with header) and returns an error
// unless the answer has status.
func Expect(c *http.Client, url string, body []byte, header map[string]string, status int) error {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		return fmt.Errorf("status %d, want %d: %.200s", resp.StatusCode, status, b)
	}
	return nil
}
