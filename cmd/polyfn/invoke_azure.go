package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/azurehost"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/internal/trace"
	"github.com/polyfn/polyfn/providers/azure"
	"github.com/polyfn/polyfn/providers/azure/funcapp"
)

// invokeAzure builds the package as a custom handler, writes the function
// app as func start would find it, starts the handler as the Functions
// host does and sends it the invocation requests the host sends for the
// trigger, through the host simulator (package internal/azurehost), which
// also judges each answer by the host's rules. An HTTP function gets its
// request forwarded when the app is HTTP-only (the generated host.json
// turns forwarding on), else in an envelope, with the route parameters the
// host would find.
func invokeAzure(ctx context.Context, e *env, inv *invocation) ([]outcome, error) {
	dir, err := os.MkdirTemp("", "polyfn-invoke-azure-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files, err := funcapp.Files(inv.app, funcapp.HostOptions{})
	if err != nil {
		return nil, err
	}
	for name, b := range files {
		if name == inv.f.Name+"/function.json" && inv.f.Kind == core.EventFunction && len(inv.f.Triggers) == 0 {
			// Deployed, a function without a trigger takes CloudEvents over
			// HTTP; simulated, it takes the trigger given, which the
			// adapter infers from the request without a function.json.
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
	}
	binding := sample.DefaultBinding(inv.trigger.Name)
	route := ""
	// A declared trigger (an HTTP function's default route included) names
	// its binding in function.json; an event function without one gets
	// the binding name of the trigger simulated.
	if len(inv.f.Triggers) > 0 || inv.f.Kind == core.HTTPFunction {
		if b, err := azure.TriggerBinding(inv.f); err == nil {
			binding, route = b.Name, b.Prop("route")
		}
	}
	var reqs []azurehost.Request
	if inv.f.Kind == core.EventFunction {
		if reqs, err = sample.Azure(inv.trigger.Name, binding, inv.recs); err != nil {
			return nil, usageError(err.Error())
		}
	}
	bin := filepath.Join(dir, "handler")
	goBin, err := goTool()
	if err != nil {
		return nil, err
	}
	e.progress("building %s (tags %q)", inv.pkg, "polyfn.azure")
	if out, err := execOutput(ctx, goBin, "build", "-tags", "polyfn.azure", "-o", bin, inv.pkg); err != nil {
		return nil, fmt.Errorf("go build %s: %v\n%s", inv.pkg, err, out)
	}
	tr := &traceReader{path: filepath.Join(dir, "trace.jsonl")}
	e.progress("starting the handler as the Functions host does")
	proc, err := azurehost.Start(ctx, bin, azurehost.StartOptions{Dir: dir, Env: append([]string{trace.EnvVar + "=" + tr.path}, inv.env...)})
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = proc.Stop()
		printLogs(e, proc.Stdout()+proc.Stderr())
	}()
	if inv.f.Kind == core.HTTPFunction {
		return []outcome{azureHTTP(ctx, e, inv, proc, binding, route)}, nil
	}
	outs := make([]outcome, 0, len(reqs))
	for i, req := range reqs {
		e.progress("invoking %s (%s)", inv.f.Name, inv.trigger.Name)
		res, err := proc.Invoke(ctx, inv.f.Name, req)
		if err != nil {
			return nil, fmt.Errorf("invoke: %w", err)
		}
		printSeen(e, inv.f, i+1, len(reqs), tr.next())
		fmt.Fprintln(e.stdout, "== reply ($return / output bindings)")
		if len(res.ReturnValue) > 0 {
			fmt.Fprint(e.stdout, indentJSONLines(res.ReturnValue))
		}
		for name, v := range res.Outputs {
			fmt.Fprintf(e.stdout, "output %s: %s\n", name, v)
		}
		if len(res.ReturnValue) == 0 && len(res.Outputs) == 0 {
			fmt.Fprintln(e.stdout, "(none)")
		}
		fmt.Fprintf(e.stdout, "== response (host's view)\nHTTP %d, failed=%v %s\n%s\n", res.Status, res.Failed, res.Reason, bytes.TrimSpace(res.Body))
		outs = append(outs, outcome{failed: res.Failed, why: res.Reason})
	}
	return outs, nil
}

// azureHTTP sends an HTTP function its request as the host does.
func azureHTTP(ctx context.Context, e *env, inv *invocation, proc *azurehost.Process, binding, route string) outcome {
	r, _ := cloneRequest(inv.req)
	e.progress("invoking %s (%s %s)", inv.f.Name, r.Method, r.URL.RequestURI())
	if azure.Forwarding(inv.app) {
		r.URL.Scheme, r.URL.Host, r.Host = "https", "polyfn.azurewebsites.net", ""
		resp, err := proc.Forward(ctx, r)
		if err != nil {
			return outcome{failed: true, why: err.Error()}
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(e.stdout, "== response (forwarded)\nHTTP %d\n%s\n", resp.StatusCode, bytes.TrimSpace(body))
		return outcome{failed: httpFailed(inv.f, resp.StatusCode), why: resp.Status}
	}
	if sample.RouteParams(route, r.URL.Path) == nil {
		fmt.Fprintf(e.stdout, "== response (host's view)\nHTTP 404: no function's route matches %s (%s has route %q)\n", r.URL.Path, inv.f.Name, route)
		return outcome{}
	}
	res, err := proc.Invoke(ctx, inv.f.Name, sample.AzureHTTP(binding, route, r))
	if err != nil {
		return outcome{failed: true, why: err.Error()}
	}
	status := res.Status
	fmt.Fprintf(e.stdout, "== response (host's view)\ninvocation failed=%v %s\n", res.Failed, res.Reason)
	if hr, err := res.HTTP(); err == nil {
		status = hr.StatusCode
		fmt.Fprintf(e.stdout, "HTTP %d\n%s\n", hr.StatusCode, bytes.TrimSpace(hr.Body))
	} else {
		fmt.Fprintf(e.stdout, "HTTP %d\n%s\n", res.Status, bytes.TrimSpace(res.Body))
	}
	if res.Failed {
		return outcome{failed: true, why: res.Reason}
	}
	return outcome{failed: httpFailed(inv.f, status), why: http.StatusText(status)}
}

func execOutput(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}
