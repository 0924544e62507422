// Package benchratio measures one piece of work against its native peer in
// the same process, in interleaved rounds, and reports medians of wall
// time, process CPU time (getrusage, GC included), bytes and allocations
// per operation. On a shared machine wall time moves with the neighbours;
// CPU time much less, and interleaving keeps both sides under the same
// weather. The adapters' Ratios benchmarks use it.
package benchratio

import (
	"fmt"
	"runtime"
	"sort"
	"syscall"
	"testing"
	"time"
)

// Sample is one round's cost per operation.
type Sample struct {
	Wall, CPU, Bytes, Allocs float64
}

// Result holds the medians of both sides and their ratios.
type Result struct {
	Name         string
	Rounds, Ops  int
	Peer, Polyfn Sample
}

// Ratio returns polyfn ÷ peer for each measure.
func (r Result) Ratio() Sample {
	return Sample{r.Polyfn.Wall / r.Peer.Wall, r.Polyfn.CPU / r.Peer.CPU, r.Polyfn.Bytes / r.Peer.Bytes, r.Polyfn.Allocs / r.Peer.Allocs}
}

// Log writes the result as a small table to t.
func (r Result) Log(t testing.TB, peer string) {
	t.Helper()
	t.Logf("%s: %d rounds of %d operations, medians", r.Name, r.Rounds, r.Ops)
	t.Logf("           wall ns/op   CPU ns/op      B/op  allocs/op")
	for _, row := range []struct {
		name string
		s    Sample
	}{{peer, r.Peer}, {"polyfn", r.Polyfn}} {
		t.Logf("  %-7s %10.0f  %10.0f  %8.0f  %9.0f", row.name, row.s.Wall, row.s.CPU, row.s.Bytes, row.s.Allocs)
	}
	q := r.Ratio()
	t.Logf("  ratio   %9.2fx  %9.2fx  %7.2fx  %8.2fx", q.Wall, q.CPU, q.Bytes, q.Allocs)
}

// Compare runs peer and polyfn ops times each per round, alternately, for
// rounds rounds after a warm-up, and returns the medians. An operation
// that fails fails t.
func Compare(t testing.TB, name string, rounds, ops int, peer, polyfn func() error) Result {
	t.Helper()
	for _, op := range []func() error{peer, polyfn} {
		if err := run(op, max(ops/10, 1)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var ss [2][]Sample
	for i := 0; i < rounds; i++ {
		for j, op := range []func() error{peer, polyfn} {
			s, err := measure(op, ops)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ss[j] = append(ss[j], s)
		}
	}
	return Result{Name: name, Rounds: rounds, Ops: ops, Peer: median(ss[0]), Polyfn: median(ss[1])}
}

func run(op func() error, n int) error {
	for i := 0; i < n; i++ {
		if err := op(); err != nil {
			return err
		}
	}
	return nil
}

func measure(op func() error, ops int) (Sample, error) {
	var m0, m1 runtime.MemStats
	var r0, r1 syscall.Rusage
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	start := time.Now()
	if err := run(op, ops); err != nil {
		return Sample{}, err
	}
	wall := time.Since(start)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	runtime.ReadMemStats(&m1)
	cpu := r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano()
	n := float64(ops)
	return Sample{float64(wall.Nanoseconds()) / n, float64(cpu) / n, float64(m1.TotalAlloc-m0.TotalAlloc) / n, float64(m1.Mallocs-m0.Mallocs) / n}, nil
}

func median(ss []Sample) Sample {
	pick := func(f func(Sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return Sample{
		pick(func(s Sample) float64 { return s.Wall }), pick(func(s Sample) float64 { return s.CPU }),
		pick(func(s Sample) float64 { return s.Bytes }), pick(func(s Sample) float64 { return s.Allocs }),
	}
}

// String formats a ratio sample.
func (s Sample) String() string {
	return fmt.Sprintf("wall %.2fx, CPU %.2fx, bytes %.2fx, allocs %.2fx", s.Wall, s.CPU, s.Bytes, s.Allocs)
}
