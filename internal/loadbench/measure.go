package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A sample is one measured run of one server at one number of connections.
type sample struct {
	requests int64
	elapsed  time.Duration
	cpu      time.Duration // the server process's CPU time over the run
}

// perSecond is the throughput of the run.
func (s sample) perSecond() float64 { return float64(s.requests) / s.elapsed.Seconds() }

// cpuPerRequest is the server's CPU time per answered request, in µs.
func (s sample) cpuPerRequest() float64 {
	return float64(s.cpu.Nanoseconds()) / 1e3 / float64(s.requests)
}

// A run says how to drive a server once.
type run struct {
	conns    int
	warmup   time.Duration // unmeasured, on the same connections, first
	duration time.Duration // measured; 0 means until max requests
	max      int64         // requests to send when duration is 0
}

// measure opens r.conns connections to s, warms up, and drives s for
// r.duration (or r.max requests), reading the server's CPU time just before
// and just after; every answer must have the adapter's status. The
// connections close after the second reading, so their teardown is not
// counted. stop interrupts the run.
func measure(s *server, r run, stop *atomic.Bool) (sample, error) {
	cs, err := dial(s.addr, r.conns)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %w", s.name(), err)
	}
	defer closeAll(cs)
	req, want := s.adapter.request, s.adapter.status
	if r.warmup > 0 {
		if _, _, err := drive(cs, req, want, r.warmup, 0, stop); err != nil {
			return sample{}, fmt.Errorf("%s: warm-up at %d connections: %w", s.name(), r.conns, err)
		}
	}
	before, err := cpuTime(s.pid())
	if err != nil {
		return sample{}, err
	}
	n, elapsed, err := drive(cs, req, want, r.duration, r.max, stop)
	if err != nil {
		return sample{}, fmt.Errorf("%s at %d connections, after %d answers: %w", s.name(), r.conns, n, err)
	}
	after, err := cpuTime(s.pid())
	if err != nil {
		return sample{}, err
	}
	if n == 0 {
		return sample{}, fmt.Errorf("%s at %d connections: no answer", s.name(), r.conns)
	}
	return sample{requests: n, elapsed: elapsed, cpu: after - before}, nil
}
