package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// cpuTime returns the CPU time (user + system) process pid has used so far.
// It sums the nanosecond run times of the process's threads from
// /proc/<pid>/task/*/schedstat; on a kernel without schedstat it falls back
// to utime + stime from /proc/<pid>/stat, which counts in clock ticks
// (10 ms). A Go server never ends its threads (no goroutine locks one), so
// the sum over live threads is the whole process.
func cpuTime(pid int) (time.Duration, error) {
	d, err := schedstatTime(pid)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(fmt.Sprintf("/proc/%d", pid)); serr == nil {
			return statTime(pid)
		}
	}
	return d, err
}

func schedstatTime(pid int) (time.Duration, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("cpu time of process %d: %w", pid, err)
	}
	var sum time.Duration
	read := 0
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if errors.Is(err, fs.ErrNotExist) {
			if _, serr := os.Stat(dir + "/" + t.Name()); serr != nil {
				continue // the thread ended in between
			}
		}
		if err != nil {
			return 0, fmt.Errorf("cpu time of process %d: %w", pid, err)
		}
		f := bytes.Fields(b)
		if len(f) == 0 {
			return 0, fmt.Errorf("cpu time of process %d: empty %s/schedstat", pid, t.Name())
		}
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu time of process %d: thread %s: %w", pid, t.Name(), err)
		}
		sum += time.Duration(ns)
		read++
	}
	if read == 0 {
		return 0, fmt.Errorf("cpu time of process %d: no thread has a schedstat: %w", pid, fs.ErrNotExist)
	}
	return sum, nil
}

// clockTick is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every
// Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

func statTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu time of process %d: %w", pid, err)
	}
	d, err := parseStat(b)
	if err != nil {
		return 0, fmt.Errorf("cpu time of process %d: /proc/%d/stat: %w", pid, pid, err)
	}
	return d, nil
}

// parseStat returns utime + stime from the text of a /proc/<pid>/stat file.
func parseStat(b []byte) (time.Duration, error) {
	// The command name (field 2) is in parentheses and may hold spaces:
	// count fields after its closing parenthesis. utime and stime are fields
	// 14 and 15, so the 12th and 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("no ')' closing the command name")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields after the command name, want 13 or more", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("utime or stime %q is not a count of clock ticks", s)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}
