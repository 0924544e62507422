// Package lambdaemu plays AWS Lambda's part outside AWS: it builds the
// payloads Lambda's event sources send (SQS, SNS, EventBridge, Kinesis,
// DynamoDB Streams, S3, API Gateway, ALB, function URLs) and runs the AWS
// Lambda Runtime Interface Emulator, which runs a real bootstrap binary
// under Lambda's runtime API. polyfn invoke uses it, and
// adapters/aws/awstest wraps it for users' tests.
package lambdaemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/polyfn/polyfn/internal/syncbuf"
)

// InstallRIE is the command that installs the emulator.
const InstallRIE = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// FindRIE returns the path of aws-lambda-rie, from PATH or $(go env
// GOPATH)/bin, or an error that says how to install it.
func FindRIE() (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "aws-lambda-rie")
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", errors.New("aws-lambda-rie is not installed: run " + InstallRIE)
}

// Emulator is a running aws-lambda-rie serving one bootstrap.
type Emulator struct {
	// Addr is the emulator's invoke address (host:port).
	Addr string
	cmd  *exec.Cmd
	logs syncbuf.Buffer
	done chan struct{}
	mu   sync.Mutex // one invocation at a time: concurrent invokes crash the emulator
}

// Start runs the emulator on two free loopback ports with bootstrap as the
// function, env added to its environment, and waits until it listens.
func Start(ctx context.Context, bootstrap string, env ...string) (*Emulator, error) {
	rie, err := FindRIE()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	e := &Emulator{Addr: "127.0.0.1:" + ports[0], done: make(chan struct{})}
	e.cmd = exec.Command(rie, "--runtime-interface-emulator-address", e.Addr, "--runtime-api-address", "127.0.0.1:"+ports[1], bootstrap)
	e.cmd.Dir = filepath.Dir(bootstrap)
	e.cmd.Env = append(append(os.Environ(), "AWS_REGION="+Region, "AWS_LAMBDA_FUNCTION_NAME=polyfn"), env...)
	e.cmd.Stdout, e.cmd.Stderr = &e.logs, &e.logs
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("lambdaemu: start aws-lambda-rie: %w", err)
	}
	go func() { _ = e.cmd.Wait(); close(e.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", e.Addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("lambdaemu: aws-lambda-rie exited: %s", e.Logs())
		case <-ctx.Done():
			e.Stop()
			return nil, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			e.Stop()
			return nil, fmt.Errorf("lambdaemu: aws-lambda-rie did not listen on %s: %s", e.Addr, e.Logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Invoke sends payload to the function and returns the HTTP status and the
// body: the invocation's result, or Lambda's error document
// ({"errorType": ..., "errorMessage": ...}). Invocations are serialized.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (int, []byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+e.Addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(payload))
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("lambdaemu: invoke: %w\n%s", err, e.Logs())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Logs returns what the emulator and the function wrote so far.
func (e *Emulator) Logs() string { return e.logs.String() }

// Stop sends SIGTERM, waits up to 5 s, then kills the emulator.
func (e *Emulator) Stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

// freePorts returns n distinct free loopback ports, holding all of them
// open until it has them all.
func freePorts(n int) ([]string, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	ports := make([]string, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports[i] = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
