// Command loadbench measures polyfn's HTTP adapters under concurrent load:
// the server process's CPU time per request and its requests per second,
// against a bare net/http program doing the same work, in the same run.
//
//	go run ./internal/loadbench                      # full run, a few minutes
//	go run ./internal/loadbench -profile over        # and profile adapters over budget
//
// For each adapter (local, Azure custom handler, Google container path) it
// builds two programs from servers/: the polyfn one, an App served by
// adapters.Run built with the adapter's tag as users build, and its bare
// peer, a hand-written net/http handler doing the same work. It starts the
// six programs on free loopback ports with GOMAXPROCS=1 (see -procs), warms
// them up, then for every round, every number of connections and every
// adapter drives the polyfn program and the bare one, one after the other
// (the order alternates between rounds), with that many keep-alive
// connections in a closed loop for a fixed time. Every answer's status is
// checked. The CPU time is the server process's (user + system, from
// /proc), read just before and just after the measured time, so the load
// generator's own CPU is not counted. It prints a Markdown table: medians
// over the rounds, and the ratio polyfn ÷ bare of the CPU per request.
//
// With -profile, it then runs the polyfn and bare programs of the named
// adapters again under a CPU profile (LOADBENCH_CPUPROFILE, see package
// work) and prints go tool pprof's top functions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// config is what the flags set.
type config struct {
	conns           []int
	duration        time.Duration
	warmup          time.Duration
	rounds          int
	procs           int
	adapters        []string
	budget          float64
	profile         string
	profileConns    int
	profileDuration time.Duration
	profileDir      string
	instructions    int64
}

func main() {
	var c config
	conns := flag.String("conns", "1,16,64,256", "numbers of keep-alive connections, comma-separated")
	names := flag.String("adapters", "local,azure,gcp", "adapters to measure, comma-separated")
	flag.DurationVar(&c.duration, "duration", 3*time.Second, "measured time of one program at one number of connections")
	flag.DurationVar(&c.warmup, "warmup", 300*time.Millisecond, "unmeasured load before each measured run, on the same connections")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds: each runs every adapter's polyfn and bare programs at every number of connections")
	flag.IntVar(&c.procs, "procs", 1, "GOMAXPROCS of the server programs (0: the Go default)")
	flag.Float64Var(&c.budget, "budget", 1.15, "the CPU-per-request ratio an adapter must stay within")
	flag.StringVar(&c.profile, "profile", "", `adapters to profile after the table: a comma-separated list, "over" (those over -budget) or "all"`)
	flag.IntVar(&c.profileConns, "profile-conns", 64, "connections while profiling")
	flag.DurationVar(&c.profileDuration, "profile-duration", 10*time.Second, "measured time of a profile")
	flag.StringVar(&c.profileDir, "profile-dir", "", "keep the profiles and binaries in this directory (default: a temporary one)")
	flag.Int64Var(&c.instructions, "instructions", 0, "instead of timing, count each server's instructions per request under valgrind, over this many requests")
	flag.Parse()
	var err error
	if c.conns, err = parseInts(*conns); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench: -conns:", err)
		os.Exit(2)
	}
	c.adapters = strings.Split(*names, ",")
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := bench(ctx, os.Stdout, os.Stderr, c); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		cancel()
		os.Exit(1)
	}
}

func parseInts(s string) ([]int, error) {
	var ns []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// selectAdapters returns the adapters of adapters() that names lists.
func selectAdapters(names []string) ([]adapter, error) {
	all := adapters()
	var as []adapter
	for _, n := range names {
		i := slices.IndexFunc(all, func(a adapter) bool { return a.name == strings.TrimSpace(n) })
		if i < 0 {
			return nil, fmt.Errorf("no adapter %q (have local, azure, gcp)", n)
		}
		as = append(as, all[i])
	}
	return as, nil
}

// bench runs the whole benchmark: results to out, progress to log.
func bench(ctx context.Context, out, log io.Writer, c config) (err error) {
	as, err := selectAdapters(c.adapters)
	if err != nil {
		return err
	}
	dir := c.profileDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "loadbench"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var stop atomic.Bool
	context.AfterFunc(ctx, func() { stop.Store(true) })

	fmt.Fprintln(log, "building the server programs...")
	bins, err := build(dir, as)
	if err != nil {
		return err
	}
	if c.instructions > 0 {
		return countInstructions(out, log, as, bins, dir, c.instructions, &stop)
	}
	servers := map[string]*server{}
	defer func() {
		for _, s := range servers {
			if serr := s.stop(); serr != nil && err == nil {
				err = serr
			}
		}
	}()
	for _, a := range as {
		for _, v := range variants {
			s, err := startServer(bins[a.name+"/"+v], a, v, dir, c.procs)
			if err != nil {
				return err
			}
			servers[s.name()] = s
			if _, err := measure(s, run{conns: 16, duration: time.Second}, &stop); err != nil {
				return err
			}
		}
	}

	cells := make([]cell, 0, len(as)*len(c.conns))
	for _, a := range as {
		for _, n := range c.conns {
			cells = append(cells, cell{adapter: a.name, conns: n})
		}
	}
	for round := range c.rounds {
		for li, n := range c.conns {
			for ai, a := range as {
				order := variants
				if (round+li)%2 == 1 {
					order[0], order[1] = order[1], order[0]
				}
				var p pair
				for _, v := range order {
					s := servers[a.name+"/"+v]
					smp, err := measure(s, run{conns: n, warmup: c.warmup, duration: c.duration}, &stop)
					if err != nil {
						return err
					}
					fmt.Fprintf(log, "round %d/%d  %-5s  %3d conns  %-6s  %8.0f req/s  %7.1f µs CPU/req\n",
						round+1, c.rounds, a.name, n, v, smp.perSecond(), smp.cpuPerRequest())
					if v == "polyfn" {
						p.polyfn = smp
					} else {
						p.bare = smp
					}
				}
				cell := &cells[ai*len(c.conns)+li]
				cell.pairs = append(cell.pairs, p)
			}
		}
	}

	fmt.Fprintf(out, "Server CPU per request under load: %d round(s) of %s per program and level (after %s of warm-up), "+
		"server GOMAXPROCS=%s, %d CPUs, %s %s/%s.\n\n",
		c.rounds, c.duration, c.warmup, procsString(c.procs), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	report(out, cells, c.budget)

	var profile []string
	switch c.profile {
	case "":
	case "over":
		profile = overBudget(cells, c.budget)
		if len(profile) == 0 {
			fmt.Fprintf(out, "\nNo adapter is over %.2f×: nothing to profile.\n", c.budget)
		}
	case "all":
		profile = c.adapters
	default:
		profile = strings.Split(c.profile, ",")
	}
	for _, name := range profile {
		pas, err := selectAdapters([]string{name})
		if err != nil {
			return fmt.Errorf("-profile: %w", err)
		}
		if err := profileAdapter(out, log, pas[0], bins, dir, c, &stop); err != nil {
			return err
		}
	}
	if stop.Load() {
		return errors.New("interrupted")
	}
	return nil
}

func procsString(n int) string {
	if n <= 0 {
		return "default"
	}
	return strconv.Itoa(n)
}
