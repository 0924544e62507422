package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/polyfn/polyfn/adapters/cloudflare/cfbuild"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/internal/syncbuf"
	"github.com/polyfn/polyfn/internal/trace"
)

// invokeCloudflare builds the package for Workers and serves it under
// workerd on loopback, behind the driver Worker (cfbuild.DriverModule):
// an HTTP function gets its request through fetch, a schedule fires the
// App's scheduled handler with the function's cron, and queue records
// reach its queue handler as one batch of the function's queue (the
// function is POLYFN_FUNCTION, for a function that declares no queue).
// The events the function saw come from the Worker's log.
func invokeCloudflare(ctx context.Context, e *env, inv *invocation) ([]outcome, error) {
	tk := inv.f.Kind == core.HTTPFunction
	switch {
	case tk && inv.trigger.Name != "http":
		return nil, usageError(fmt.Sprintf("trigger %q: an HTTP function takes --trigger http", inv.trigger.Name))
	case !tk && inv.trigger.Name != "schedule" && inv.trigger.Name != "queue":
		return nil, usageError(fmt.Sprintf("trigger %q: Cloudflare Workers deliver http, schedule and queue", inv.trigger.Name))
	}
	var cron string
	if inv.trigger.Name == "schedule" {
		t, ok := inv.f.Trigger(core.TriggerSchedule)
		if !ok {
			return nil, usageError(fmt.Sprintf("function %q has no schedule (core.OnSchedule): Cron Triggers reach functions by their cron", inv.f.Name))
		}
		cron = t.Cron
	}
	workerd := cfbuild.WorkerdPath()
	if workerd == "" {
		return nil, fmt.Errorf("workerd is not installed: %s", cfbuild.WorkerdInstall)
	}
	dir, err := os.MkdirTemp("", "polyfn-invoke-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	goBin, err := goTool()
	if err != nil {
		return nil, err
	}
	e.progress("building %s for js/wasm with -tags %s", inv.pkg, cfbuild.Tag)
	if err := cfbuild.Wasm(ctx, goBin, inv.pkg, dir); err != nil {
		return nil, err
	}
	vars := map[string]string{trace.EnvVar: "stdout"}
	if inv.f.Kind == core.EventFunction {
		vars["POLYFN_FUNCTION"] = inv.f.Name
	}
	for _, s := range inv.app.Settings() { // a Worker's environment is its bindings: pass the settings on
		if v, ok := os.LookupEnv(s.Name); ok {
			vars[s.Name] = v
		}
	}
	for _, s := range inv.env {
		k, v, _ := strings.Cut(s, "=")
		vars[k] = v
	}
	files, err := cfbuild.DriverFiles(inv.app, cloudflareOptions(inv.pkg, vars))
	if err != nil {
		return nil, err
	}
	if err := cfbuild.Write(dir, files); err != nil {
		return nil, err
	}
	w, err := startWorkerd(ctx, workerd, dir)
	if err != nil {
		return nil, err
	}
	defer w.stop()
	var o outcome
	switch inv.trigger.Name {
	case "http":
		o, err = w.fetch(e, inv)
	case "schedule":
		o, err = w.drive(e, "/__polyfn/scheduled", map[string]any{"cron": cron, "scheduledTime": time.Now().UnixMilli()})
	default:
		o, err = w.drive(e, "/__polyfn/queue", queueOf(inv))
	}
	if err != nil {
		return nil, err
	}
	time.Sleep(50 * time.Millisecond) // the Worker's last log lines
	seen, logs := w.output()
	printSeen(e, inv.f, 1, 1, seen)
	printLogs(e, logs)
	return []outcome{o}, nil
}

// queueOf returns the driver's queue batch of inv's records, on the
// function's queue or, when it declares none, a queue named after it.
func queueOf(inv *invocation) map[string]any {
	name := inv.f.Name
	if t, ok := inv.f.Trigger(core.TriggerQueue); ok {
		name = t.Name
	}
	recs := inv.recs
	if len(recs) == 0 {
		recs = append(recs, sample.Record{Data: []byte("{}")})
	}
	now := time.Now().UnixMilli()
	var msgs []map[string]any
	for i, r := range recs {
		var body any = string(r.Data)
		if json.Valid(r.Data) {
			body = json.RawMessage(r.Data)
		}
		msgs = append(msgs, map[string]any{"id": fmt.Sprintf("polyfn-invoke-%d", i+1), "timestamp": now, "attempts": 1, "body": body})
	}
	return map[string]any{"queue": name, "messages": msgs}
}

// workerdProc is workerd serving an invocation's folder.
type workerdProc struct {
	cmd  *exec.Cmd
	url  string
	logs *syncbuf.Buffer
	done chan error
}

func startWorkerd(ctx context.Context, bin, dir string) (*workerdProc, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	w := &workerdProc{url: "http://" + addr, logs: &syncbuf.Buffer{}, done: make(chan error, 1)}
	w.cmd = exec.CommandContext(ctx, bin, "serve", cfbuild.DriverConfigFile, "--socket-addr", "http="+addr, "--experimental", "--verbose")
	w.cmd.Dir, w.cmd.Stdout, w.cmd.Stderr = dir, w.logs, w.logs
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start workerd: %w", err)
	}
	go func() { w.done <- w.cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return w, nil
		}
		select {
		case err := <-w.done:
			return nil, fmt.Errorf("workerd exited before serving: %v\n%s", err, w.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("workerd did not listen within 30 s\n%s", w.logs.String())
		}
	}
}

func (w *workerdProc) stop() {
	_ = w.cmd.Process.Kill()
	<-w.done
	w.done <- nil
}

// fetch sends the HTTP function's request and prints the answer.
func (w *workerdProc) fetch(e *env, inv *invocation) (outcome, error) {
	req, body := cloneRequest(inv.req)
	req.URL.Scheme, req.URL.Host, req.Host, req.RequestURI = "http", strings.TrimPrefix(w.url, "http://"), "", ""
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return outcome{}, fmt.Errorf("fetch: %w", err)
	}
	defer resp.Body.Close()
	dump, err := httputil.DumpResponse(resp, true)
	if err != nil {
		return outcome{}, err
	}
	fmt.Fprintf(e.stdout, "== answer\n%s\n", bytes.TrimRight(dump, "\r\n"))
	return outcome{failed: httpFailed(inv.f, resp.StatusCode), why: resp.Status}, nil
}

// drive posts v to the driver Worker's path and reads what the runtime
// reported: a schedule failed unless its outcome is ok, a queue batch
// failed when the handler failed or retried a message.
func (w *workerdProc) drive(e *env, path string, v any) (outcome, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return outcome{}, err
	}
	resp, err := http.Post(w.url+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return outcome{}, fmt.Errorf("driver: %w", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	var r struct {
		Outcome       string
		RetryBatch    struct{ Retry bool }
		ExplicitAcks  []string
		RetryMessages []struct{ MsgID string }
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(out, &r) != nil {
		return outcome{}, fmt.Errorf("driver: status %d: %s", resp.StatusCode, out)
	}
	fmt.Fprintf(e.stdout, "== runtime\n%s\n", out)
	switch {
	case r.Outcome != "ok":
		return outcome{failed: true, why: "the handler ended with outcome " + r.Outcome}, nil
	case r.RetryBatch.Retry:
		return outcome{failed: true, why: "the batch was retried"}, nil
	case len(r.RetryMessages) > 0:
		var ids []string
		for _, m := range r.RetryMessages {
			ids = append(ids, m.MsgID)
		}
		return outcome{failed: true, why: fmt.Sprintf("%d of %d messages retried (%s)", len(ids), len(ids)+len(r.ExplicitAcks), strings.Join(ids, ", "))}, nil
	}
	return outcome{}, nil
}

// output splits what workerd printed into the trace lines (the events the
// function saw) and the program's output; workerd's own lines (and the
// stacks of the exceptions it reports) are dropped.
func (w *workerdProc) output() (seen []byte, logs string) {
	var l strings.Builder
	for _, line := range strings.Split(w.logs.String(), "\n") {
		switch {
		case strings.HasPrefix(line, trace.LinePrefix):
			seen = append(append(seen, strings.TrimPrefix(line, trace.LinePrefix)...), '\n')
		case line == "" || strings.HasPrefix(line, "workerd/") || strings.HasPrefix(line, "stack: ") || strings.HasPrefix(line, "    at "):
			// workerd's own lines
		default:
			l.WriteString(line + "\n")
		}
	}
	return seen, l.String()
}
