package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/internal/syncbuf"
	"github.com/polyfn/polyfn/internal/trace"
)

// invokeHTTP runs the package with the local adapter, or as Cloud
// Functions runs a source deploy (functions-framework-go's server), and
// sends it each invocation as the platform would: the events the provider
// presents (CloudEvents in binary mode, a batch as a CloudEvents batch),
// or the HTTP request.
func invokeHTTP(ctx context.Context, e *env, inv *invocation) ([]outcome, error) {
	dir, err := os.MkdirTemp("", "polyfn-invoke-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	deliveries, err := httpDeliveries(inv)
	if err != nil {
		return nil, usageError(fmt.Sprintf("trigger %s: %v", inv.trigger.Name, err))
	}
	bin, procEnv, ready := filepath.Join(dir, "fn"), inv.env, "/healthz"
	// As the platform authenticates its own deliveries in the cloud, invoke
	// authenticates its event deliveries to the process it starts with a
	// secret of this run: they pass the App's event guards
	// (core.App.GuardEvents); other callers still need credentials.
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	platform := hex.EncodeToString(token)
	procEnv = append(append([]string(nil), procEnv...), invoke.EnvPlatformToken+"="+platform)
	if inv.headers == nil {
		inv.headers = http.Header{}
	}
	inv.headers.Set(invoke.HeaderPlatformToken, platform)
	if inv.provider == "gcp" {
		// A source deploy's process: the buildpack's main serving the
		// function with functions-framework-go.
		if bin, err = buildGCFServer(ctx, e, inv.pkg, filepath.Join(dir, "gcp")); err != nil {
			return nil, err
		}
		// functions-framework-go sends every path to the function, so
		// readiness is the port accepting connections.
		procEnv, ready = append(procEnv, "FUNCTION_TARGET="+inv.f.Name), ""
	} else {
		goBin, err := goTool()
		if err != nil {
			return nil, err
		}
		e.progress("building %s", inv.pkg)
		if out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, inv.pkg).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v\n%s", inv.pkg, err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	tr := &traceReader{path: filepath.Join(dir, "trace.jsonl")}
	var logs syncbuf.Buffer
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(append(os.Environ(), "PORT="+port, trace.EnvVar+"="+tr.path), procEnv...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	e.progress("starting %s on port %s", inv.pkg, port)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		printLogs(e, logs.String())
	}()
	base := "http://127.0.0.1:" + port
	if err := waitServing(ctx, "127.0.0.1:"+port, ready, exited, 15*time.Second); err != nil {
		return nil, err
	}

	var reqs []*http.Request
	if inv.f.Kind == core.HTTPFunction {
		r, _ := cloneRequest(inv.req)
		r.URL.Scheme, r.URL.Host, r.Host = "http", "127.0.0.1:"+port, ""
		reqs = append(reqs, r)
	} else {
		path := "/" + inv.f.Name
		if inv.provider == "gcp" {
			path = "/"
		}
		for _, d := range deliveries {
			r, err := eventsRequest(ctx, base+path, d, inv.headers)
			if err != nil {
				return nil, err
			}
			reqs = append(reqs, r)
		}
	}
	outs := make([]outcome, 0, len(reqs))
	for i, r := range reqs {
		e.progress("invoking %s (%s)", inv.f.Name, inv.trigger.Name)
		resp, err := http.DefaultClient.Do(r.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("invoke: %w", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		printSeen(e, inv.f, i+1, len(reqs), tr.next())
		if inv.f.Kind == core.EventFunction {
			printHTTPReply(e, resp, body)
		}
		fmt.Fprintln(e.stdout, "== response")
		resp.Body = io.NopCloser(bytes.NewReader(body))
		dump, _ := httputil.DumpResponse(resp, true)
		fmt.Fprintf(e.stdout, "%s\n", bytes.TrimRight(dump, "\r\n"))
		outs = append(outs, outcome{failed: httpFailed(inv.f, resp.StatusCode), why: resp.Status})
	}
	return outs, nil
}

// httpDeliveries returns what the platform posts for an event function:
// on gcp the CloudEvents Eventarc posts, which the adapter normalizes
// itself; on local the events each provider presents (localDeliveries).
func httpDeliveries(inv *invocation) ([]delivery, error) {
	if inv.f.Kind != core.EventFunction {
		return nil, nil
	}
	if inv.provider != "gcp" {
		return localDeliveries(inv.trigger, inv.f, inv.recs)
	}
	evs, err := sample.Google(invokeProject, inv.trigger.Name, inv.f.Name, inv.recs)
	if err != nil {
		return nil, err
	}
	out := make([]delivery, len(evs))
	for i, ev := range evs {
		out[i] = delivery{events: []core.Event{ev}}
	}
	return out, nil
}

// eventsRequest returns the request that delivers d to url, with the extra
// headers (credentials): one event in binary mode, several as a CloudEvents
// batch.
func eventsRequest(ctx context.Context, url string, d delivery, extra http.Header) (*http.Request, error) {
	if len(d.events) == 1 && !d.batch {
		ev := d.events[0]
		r, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(ev.Data()))
		if err != nil {
			return nil, err
		}
		addHeaders(r.Header, extra)
		return r, cehttp.SetBinaryHeaders(r.Header, &ev)
	}
	body := []byte{'['}
	for i, ev := range d.events {
		if i > 0 {
			body = append(body, ',')
		}
		var err error
		if body, err = cejson.Append(body, ev); err != nil {
			return nil, err
		}
	}
	body = append(body, ']')
	r, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	addHeaders(r.Header, extra)
	r.Header.Set("Content-Type", cehttp.BatchContentType)
	return r, nil
}

// addHeaders adds the values of extra to h.
func addHeaders(h, extra http.Header) {
	for k, vs := range extra {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
}

// printHTTPReply prints the reply events of a CloudEvents answer: one in
// binary or structured mode, any number in a batch.
func printHTTPReply(e *env, resp *http.Response, body []byte) {
	fmt.Fprintln(e.stdout, "== reply")
	if resp.StatusCode/100 != 2 || cehttp.ModeOf(resp.Header) == cehttp.NotCloudEvent {
		fmt.Fprintln(e.stdout, "(none)")
		return
	}
	replies, _, err := cehttp.Read(resp.Header, body)
	if err != nil {
		fmt.Fprintf(e.stdout, "(not a CloudEvent: %v)\n", err)
		return
	}
	if len(replies) == 0 {
		fmt.Fprintln(e.stdout, "(none)")
	}
	for _, reply := range replies {
		line, _ := cejson.Marshal(reply)
		fmt.Fprint(e.stdout, indentJSONLines(line))
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port), nil
}

// waitServing waits until the server at addr answers GET path (accepts
// connections, when path is ""), the process exits (its start hooks
// failed, say) or timeout passes.
func waitServing(ctx context.Context, addr, path string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("the function exited before serving (see its logs)")
		default:
		}
		if path == "" {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				return nil
			}
		} else if resp, err := http.Get("http://" + addr + path); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("the function did not serve on %s within %s", addr, timeout)
}
