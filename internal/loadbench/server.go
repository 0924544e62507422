package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// variants are the two programs of every adapter, in the order they run in
// odd rounds.
var variants = [2]string{"polyfn", "bare"}

// build compiles the polyfn and bare programs of every adapter into dir
// (one go build per set of build tags, concurrently) and returns the
// binaries' paths by adapter name and variant ("local/bare").
func build(dir string, as []adapter) (map[string]string, error) {
	byTags := map[string][]string{}
	bins := map[string]string{}
	for _, a := range as {
		byTags[a.tags] = append(byTags[a.tags], a.program("polyfn"))
		byTags[""] = append(byTags[""], a.program("bare"))
		for _, v := range variants {
			bins[a.name+"/"+v] = filepath.Join(dir, a.name+"-"+v)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 0, len(byTags))
	var mu sync.Mutex
	for tags, pkgs := range byTags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := append([]string{"build", "-tags", tags, "-o", dir + string(filepath.Separator)}, pkgs...)
			if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("go %v: %v\n%s", args, err, out))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return bins, errors.Join(errs...)
}

// A server is one running program under load.
type server struct {
	adapter adapter
	variant string
	addr    string
	cmd     *exec.Cmd
	logs    *tail
	exited  chan struct{}
	err     error // the exit status, once exited is closed
}

func (s *server) name() string { return s.adapter.name + "/" + s.variant }

// startServer runs bin on a free loopback port in dir, with GOMAXPROCS=procs
// when procs > 0 and the extra environment env, and waits until it answers
// the adapter's request.
func startServer(bin string, a adapter, variant, dir string, procs int, env ...string) (*server, error) {
	return startCommand([]string{bin}, a, variant, dir, procs, 15*time.Second, env...)
}

// startCommand is startServer for a program run as argv (a binary under a
// tool such as valgrind), waiting up to ready for its first answer.
func startCommand(argv []string, a adapter, variant, dir string, procs int, ready time.Duration, env ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{adapter: a, variant: variant, addr: "127.0.0.1:" + port, logs: &tail{}, exited: make(chan struct{})}
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Dir = dir
	s.cmd.Env = append(os.Environ(), a.portEnv+"="+port, "FUNCTIONS_APP_ROOT_PATH="+dir)
	if procs > 0 {
		s.cmd.Env = append(s.cmd.Env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	s.cmd.Env = append(append(s.cmd.Env, a.env...), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(ready); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// waitReady polls until one request gets the expected answer.
func (s *server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited before answering: %v\n%s", s.name(), s.err, s.logs)
		default:
		}
		cs, err := dial(s.addr, 1)
		if err == nil {
			err = cs[0].do(s.adapter.request, s.adapter.status)
			closeAll(cs)
			if err == nil {
				return nil
			}
			return fmt.Errorf("%s: first request: %w\n%s", s.name(), err, s.logs)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections within %s: %w\n%s", s.name(), timeout, err, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop sends SIGTERM and waits for a clean exit (the programs drain and
// write their CPU profile), killing the program after 15 s.
func (s *server) stop() error { return s.stopWithin(15 * time.Second) }

// stopWithin is stop with another limit.
func (s *server) stopWithin(limit time.Duration) error {
	select {
	case <-s.exited:
		return fmt.Errorf("%s had already exited: %v\n%s", s.name(), s.err, s.logs)
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("%s: %v\n%s", s.name(), s.err, s.logs)
		}
		return nil
	case <-time.After(limit):
		s.kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM\n%s", s.name(), limit, s.logs)
	}
}

// kill ends the program if it still runs.
func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// tail keeps the last 8 KiB a program wrote, for error messages.
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - 8<<10; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
