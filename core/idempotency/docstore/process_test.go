package docstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
)

// helperEnv, when set to a number n, makes the test binary a delivering
// process instead of a test run: see deliverProcess.
const helperEnv = "POLYFN_IDEMPOTENCY_TEST_DELIVERIES"

func TestMain(m *testing.M) {
	if n := os.Getenv(helperEnv); n != "" {
		os.Exit(deliverProcess(n))
	}
	os.Exit(m.Run())
}

// tally is what one delivering process saw.
type tally struct {
	Ran, Replies, InProgress int
	Other                    []string
}

// deliverProcess opens the store EnvURL names, prints "ready", waits for a
// line on stdin, delivers one event n times at once through the
// middleware, and prints its tally as JSON.
func deliverProcess(n string) int {
	var count int
	if _, err := fmt.Sscan(n, &count); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	store, err := docstore.Open(ctx, os.Getenv(docstore.EnvURL))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer store.Close()
	var ran atomic.Int64
	mw := idempotency.New(store)(func(context.Context, core.Event) (*core.Event, error) {
		ran.Add(1)
		time.Sleep(100 * time.Millisecond)
		r := core.NewEvent("reply-1", "/orders", "com.example.order.done", "text/plain", []byte("charged once"))
		return &r, nil
	})
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var mu sync.Mutex
	var out tally
	var wg sync.WaitGroup
	e := core.NewEvent("order-1", "/shop/orders", "com.example.order.placed", "application/json", []byte(`{"order":1}`))
	for range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := mw(ctx, e)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && r != nil && string(r.Data()) == "charged once":
				out.Replies++
			case errors.Is(err, idempotency.ErrInProgress) && !core.IsPermanent(err):
				out.InProgress++
			default:
				out.Other = append(out.Other, fmt.Sprintf("%v, %v", r, err))
			}
		}()
	}
	wg.Wait()
	out.Ran = int(ran.Load())
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

// runProcesses starts one delivering process per entry of deliveries,
// releases them together, and returns their tallies.
func runProcesses(t *testing.T, env []string, deliveries ...int) []tally {
	t.Helper()
	type proc struct {
		cmd    *exec.Cmd
		stdin  *os.File
		stdout *bufio.Reader
	}
	var procs []proc
	for _, n := range deliveries {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(append(os.Environ(), env...), fmt.Sprintf("%s=%d", helperEnv, n))
		cmd.Stderr = os.Stderr
		in, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = in
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		in.Close()
		t.Cleanup(func() { w.Close(); cmd.Process.Kill(); cmd.Wait() })
		p := proc{cmd: cmd, stdin: w, stdout: bufio.NewReader(out)}
		if line, err := p.stdout.ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("delivering process: %q, %v", line, err)
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		fmt.Fprintln(p.stdin, "go")
	}
	var tallies []tally
	for i, p := range procs {
		var tl tally
		if err := json.NewDecoder(p.stdout).Decode(&tl); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
		tallies = append(tallies, tl)
	}
	return tallies
}

// TestProcessesShareDynamoDB delivers one event 50 times at once from 4
// processes sharing a DynamoDB table (dynalite): it runs exactly once, and
// every other delivery gets the in-progress error or the reply. A fifth
// process started afterwards (a restart) gets the reply without running.
func TestProcessesShareDynamoDB(t *testing.T) {
	url := useDynalite(t, "idempotency")
	env := []string{docstore.EnvURL + "=" + url}
	sum := func(ts []tally) (all tally) {
		for i, tl := range ts {
			all.Ran += tl.Ran
			all.Replies += tl.Replies
			all.InProgress += tl.InProgress
			for _, o := range tl.Other {
				t.Errorf("process %d: a delivery got %s", i, o)
			}
		}
		return all
	}
	all := sum(runProcesses(t, env, 13, 13, 12, 12))
	if all.Ran != 1 {
		t.Errorf("the function ran %d times across 4 processes, want 1", all.Ran)
	}
	if all.Replies+all.InProgress != 50 || all.Replies < 1 {
		t.Errorf("%d replies and %d in-progress errors, want 50 in all, the first run's reply among them", all.Replies, all.InProgress)
	}
	after := sum(runProcesses(t, env, 1))
	if after.Ran != 0 || after.Replies != 1 {
		t.Errorf("a new process: ran %d times, %d replies; want the recorded reply without a run", after.Ran, after.Replies)
	}
}
