package main

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/golden"
)

// TestSmoke builds the six server programs, sends each a few hundred
// requests over four connections and checks that every one is answered
// with the adapter's status, that the server's CPU time grew, and that
// every program stops cleanly on SIGTERM. It checks no timing ratio: the
// full benchmark is go run ./internal/loadbench.
func TestSmoke(t *testing.T) {
	const requests = 300
	dir := t.TempDir()
	as := adapters()
	bins, err := build(dir, as)
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	for _, a := range as {
		for _, v := range variants {
			t.Run(a.name+"/"+v, func(t *testing.T) {
				s, err := startServer(bins[a.name+"/"+v], a, v, dir, 1)
				if err != nil {
					t.Fatal(err)
				}
				defer s.kill()
				smp, err := measure(s, run{conns: 4, max: requests}, &stop)
				if err != nil {
					t.Fatal(err)
				}
				if smp.requests != requests {
					t.Errorf("%d answers, want %d", smp.requests, requests)
				}
				if smp.cpu <= 0 || smp.elapsed <= 0 {
					t.Errorf("server CPU time %s over %s of load, want both positive", smp.cpu, smp.elapsed)
				}
				if err := s.stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			})
		}
	}
}

func TestReadAnswer(t *testing.T) {
	tests := []struct {
		name    string
		answer  string
		want    int
		wantErr string // substring; "" for success
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 200, ""},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n", 200, ""},
		{"no content", "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n", 204, ""},
		{"header case", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", 200, ""},
		{"other status", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 15\r\n\r\n{\"error\":\"x\"}\r\n", 200, `HTTP/1.1 500 Internal Server Error, want 200: {"error":"x"}`},
		{"2xx but not the one", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 204, "want 204"},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 200, "closed the connection"},
		{"no length", "HTTP/1.1 200 OK\r\n\r\nabc", 200, "without Content-Length"},
		{"bad status line", "HTTP/1.0 200 OK\r\n\r\n", 200, "malformed status line"},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200, "malformed Content-Length"},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 200, "read body"},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 200, "malformed chunk size"},
		{"truncated", "HTTP/1.1 200 OK\r\nContent-Len", 200, "read header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.answer + "NEXT"))
			err := readAnswer(r, tt.want)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if rest, _ := r.Peek(4); tt.wantErr == "" && string(rest) != "NEXT" {
				t.Errorf("after the answer the reader is at %q, want the next answer", rest)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	// Fields 3 to 15 of /proc/<pid>/stat: state ... utime stime.
	const tail = " S 1 2 3 0 -1 4194560 100 0 0 0 %s %s 0 0 20 0 3 0 5 6 7"
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr string
	}{
		{"plain", "42 (server)" + sprintf(tail, "250", "31"), 2810 * time.Millisecond, ""},
		{"name with spaces and parens", "42 (a (b) c)" + sprintf(tail, "1", "2"), 30 * time.Millisecond, ""},
		{"no name", "42 server" + sprintf(tail, "1", "2"), 0, "no ')'"},
		{"too short", "42 (server) S 1 2 3", 0, "fields after the command name"},
		{"not a number", "42 (server)" + sprintf(tail, "x", "2"), 0, `"x" is not a count`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.stat))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseStat = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func sprintf(format, a, b string) string {
	return strings.Replace(strings.Replace(format, "%s", a, 1), "%s", b, 1)
}

// TestCPUTime reads this test's own process: both sources are positive,
// and the nanosecond one grows with work.
func TestCPUTime(t *testing.T) {
	pid := os.Getpid()
	before, err := cpuTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	var after time.Duration
	for spin := 0; after < before+20*time.Millisecond; spin++ {
		busy(200_000)
		if after, err = cpuTime(pid); err != nil {
			t.Fatal(err)
		}
		if spin > 10_000 {
			t.Fatalf("CPU time stuck at %s (from %s)", after, before)
		}
	}
	if st, err := statTime(pid); err != nil || st <= 0 {
		t.Errorf("statTime = %v, %v; want a positive time", st, err)
	}
}

var busySink atomic.Int64

func busy(n int) {
	var x int64
	for i := range n {
		x += int64(i) * int64(i) % 7
	}
	busySink.Add(x)
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestReport checks the tables' layout on made-up samples.
func TestReport(t *testing.T) {
	smp := func(n int64, cpuMs int) sample {
		return sample{requests: n, elapsed: time.Second, cpu: time.Duration(cpuMs) * time.Millisecond}
	}
	cells := []cell{
		{"local", 1, []pair{{smp(10000, 330), smp(12000, 360)}, {smp(11000, 370), smp(12500, 370)}}},
		{"local", 64, []pair{{smp(20000, 600), smp(21000, 580)}}},
		{"azure", 1, []pair{{smp(9000, 500), smp(12000, 450)}, {smp(9500, 520), smp(12100, 440)}, {smp(9400, 510), smp(12050, 445)}}},
	}
	var b bytes.Buffer
	report(&b, cells, 1.15)
	golden.Check(t, "testdata/report.golden", b.Bytes())
	if got := overBudget(cells, 1.15); len(got) != 1 || got[0] != "azure" {
		t.Errorf("overBudget = %v, want [azure]", got)
	}
}

func TestRawRequest(t *testing.T) {
	got := string(rawRequest("/x", []string{"A", "1"}, "body"))
	want := "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: loadbench\r\nA: 1\r\nContent-Length: 4\r\n\r\nbody"
	if got != want {
		t.Errorf("rawRequest = %q, want %q", got, want)
	}
}

func TestParseRefs(t *testing.T) {
	log := "==6070== Cachegrind, a cache and branch-prediction profiler\n==6070== \n==6070== I   refs:      226,864,565\n"
	if n, ok := parseRefs(log); !ok || n != 226864565 {
		t.Fatalf("parseRefs = %d, %v", n, ok)
	}
	if _, ok := parseRefs("==1== Command: ./x\n"); ok {
		t.Fatal("a log without a count must not parse")
	}
}
