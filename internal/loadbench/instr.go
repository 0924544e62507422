package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// countInstructions measures each server program's instructions per request
// with valgrind's cachegrind, which counts the instructions a process runs:
// the same count for the same binary, requests and environment whatever
// else the machine does, where CPU time on a shared machine moves by ±10 %.
// Each program runs twice, for n and 3n requests on 16 connections; the
// difference, divided by 2n, leaves out start-up and shutdown.
func countInstructions(out, log io.Writer, as []adapter, bins map[string]string, dir string, n int64, stop *atomic.Bool) error {
	if _, err := exec.LookPath("valgrind"); err != nil {
		return errors.New("-instructions needs valgrind on PATH")
	}
	type row struct {
		adapter      string
		polyfn, bare float64
	}
	var rows []row
	for _, a := range as {
		r := row{adapter: a.name}
		for _, v := range variants {
			var counts [2]int64
			for i, reqs := range []int64{n, 3 * n} {
				c, err := instructionsFor(bins[a.name+"/"+v], a, v, dir, reqs, stop)
				if err != nil {
					return err
				}
				counts[i] = c
				fmt.Fprintf(log, "%-5s  %-6s  %7d requests  %14d instructions\n", a.name, v, reqs, c)
			}
			per := float64(counts[1]-counts[0]) / float64(2*n)
			if v == "polyfn" {
				r.polyfn = per
			} else {
				r.bare = per
			}
		}
		rows = append(rows, r)
	}
	fmt.Fprintf(out, "Server instructions per request (valgrind cachegrind; %d and %d requests on 16 connections, GOMAXPROCS=1), %s %s/%s.\n\n",
		n, 3*n, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(out, "| adapter | instructions/request polyfn | instructions/request bare | ratio |")
	fmt.Fprintln(out, "|---|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(out, "| %s | %.0f | %.0f | **%.2f×** |\n", r.adapter, r.polyfn, r.bare, r.polyfn/r.bare)
	}
	return nil
}

var collected = regexp.MustCompile(`I\s+refs:\s+([\d,]+)`)

// instructionsFor runs bin under cachegrind, sends it reqs requests and
// returns the instructions it ran from start to exit.
func instructionsFor(bin string, a adapter, variant, dir string, reqs int64, stop *atomic.Bool) (int64, error) {
	argv := []string{"valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", bin}
	// Go preempts goroutines with signals, which valgrind mishandles.
	s, err := startCommand(argv, a, variant, dir, 1, 2*time.Minute, "GODEBUG=asyncpreemptoff=1")
	if err != nil {
		return 0, err
	}
	cs, err := dial(s.addr, 16)
	if err != nil {
		s.kill()
		return 0, err
	}
	_, _, err = drive(cs, a.request, a.status, 0, reqs, stop)
	closeAll(cs)
	if err != nil {
		s.kill()
		return 0, fmt.Errorf("%s under valgrind: %w", s.name(), err)
	}
	if err := s.stopWithin(2 * time.Minute); err != nil {
		return 0, err
	}
	n, ok := parseRefs(s.logs.String())
	if !ok {
		return 0, fmt.Errorf("%s: valgrind printed no instruction count:\n%s", s.name(), strings.TrimSpace(s.logs.String()))
	}
	return n, nil
}

// parseRefs reads the instruction count ("I refs: 1,234") of cachegrind's
// summary.
func parseRefs(log string) (int64, bool) {
	m := collected.FindStringSubmatch(log)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	return n, err == nil
}
