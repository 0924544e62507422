package azurehost

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/polyfn/polyfn/internal/syncbuf"
)

// StartOptions configures Start.
type StartOptions struct {
	// Dir is the function app folder: the working directory and
	// FUNCTIONS_APP_ROOT_PATH. Empty means the current directory.
	Dir string
	// Env is added to the handler's environment (KEY=value).
	Env []string
	// ReadyTimeout bounds the wait for readiness; 0 means 30 s.
	ReadyTimeout time.Duration
}

// Process is a handler started by Start.
type Process struct {
	*Host
	// Cmd is the running handler.
	Cmd *exec.Cmd
	// Port is the port it listens on.
	Port int

	stdout, stderr syncbuf.Buffer
	done           chan struct{}
	waitErr        error
}

// Start starts the handler binary path as the host does — no arguments,
// FUNCTIONS_CUSTOMHANDLER_PORT set to a free port (plus the worker id, the
// legacy FUNCTIONS_HTTPWORKER_* twins and FUNCTIONS_APP_ROOT_PATH) — and
// waits until it answers GET /. Stop it with Stop.
func Start(ctx context.Context, path string, opts StartOptions) (*Process, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(path)
	cmd.Dir = dir
	p := strconv.Itoa(port)
	cmd.Env = append(os.Environ(),
		"FUNCTIONS_CUSTOMHANDLER_PORT="+p, "FUNCTIONS_HTTPWORKER_PORT="+p,
		"FUNCTIONS_CUSTOMHANDLER_WORKER_ID=simulated-worker", "FUNCTIONS_HTTPWORKER_ID=simulated-worker",
		"FUNCTIONS_APP_ROOT_PATH="+dir, "FUNCTIONS_WORKER_RUNTIME=custom")
	cmd.Env = append(cmd.Env, opts.Env...)
	proc := &Process{Host: New("http://127.0.0.1:" + p), Cmd: cmd, Port: port, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &proc.stdout, &proc.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("host simulator: start %s: %w", path, err)
	}
	go func() { proc.waitErr = cmd.Wait(); close(proc.done) }()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-proc.done:
			cancel()
		case <-rctx.Done():
		}
	}()
	if err := proc.WaitReady(rctx, opts.ReadyTimeout); err != nil {
		_ = proc.Stop()
		return nil, fmt.Errorf("%w\nstderr:\n%s", err, proc.Stderr())
	}
	return proc, nil
}

// Stop sends SIGTERM, waits up to 10 s for the handler to exit, then kills
// it. It returns the exit error, if the handler did not exit cleanly.
func (p *Process) Stop() error {
	select {
	case <-p.done:
		return p.waitErr
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-p.done
		return errors.New("host simulator: handler did not stop within 10 s of SIGTERM; killed")
	}
	return p.waitErr
}

// Exited reports whether the handler has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stdout returns what the handler wrote to standard output so far.
func (p *Process) Stdout() string { return p.stdout.String() }

// Stderr returns what the handler wrote to standard error so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// FreePort returns a TCP port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
