package main

import (
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/polyfn/polyfn/internal/loadbench/work"
)

// profileAdapter runs a's polyfn program, then its bare one, under a CPU
// profile at c.profileConns connections for c.profileDuration, and prints
// go tool pprof's top functions: for polyfn flat, cumulative, and
// cumulative for polyfn's own functions only; for bare flat, to compare.
func profileAdapter(out, log io.Writer, a adapter, bins map[string]string, dir string, c config, stop *atomic.Bool) error {
	for _, v := range variants {
		bin := bins[a.name+"/"+v]
		path := filepath.Join(dir, a.name+"-"+v+".pprof")
		fmt.Fprintf(log, "profiling %s/%s at %d connections for %s...\n", a.name, v, c.profileConns, c.profileDuration)
		s, err := startServer(bin, a, v, dir, c.procs, work.EnvCPUProfile+"="+path)
		if err != nil {
			return err
		}
		smp, err := measure(s, run{conns: c.profileConns, warmup: c.warmup, duration: c.profileDuration}, stop)
		if serr := s.stop(); err == nil {
			err = serr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n### CPU profile: %s/%s, %d connections, %s: %.0f req/s, %.1f µs CPU/request\n",
			a.name, v, c.profileConns, c.profileDuration, smp.perSecond(), smp.cpuPerRequest())
		tops := [][]string{
			{"-top", "-nodecount=25"},
			{"-top", "-cum", "-nodecount=40"},
			{"-top", "-cum", "-nodecount=30", `-show=github\.com/polyfn/polyfn/|^main\.`},
		}
		if v == "bare" {
			tops = tops[:1]
		}
		for _, args := range tops {
			args = append(append([]string{"tool", "pprof"}, args...), bin, path)
			b, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
			}
			fmt.Fprintf(out, "\n```\n$ go %s\n%s```\n", strings.Join(args[:len(args)-2], " "), b)
		}
	}
	return nil
}
