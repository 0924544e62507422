package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// invocation is what polyfn invoke was asked to do.
type invocation struct {
	provider string
	pkg      string
	app      *core.App
	f        *core.Function
	trigger  sample.Trigger
	recs     []sample.Record // one per --data (event functions)
	req      *http.Request   // the request (HTTP functions)
	env      []string        // --set NAME=VALUE
	headers  http.Header     // --header, for event deliveries over HTTP (local, gcp)
}

// outcome is what one invocation of the function told the platform.
type outcome struct {
	failed bool
	why    string // what failed, when failed
}

func runInvoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "invoke", "invoke --provider aws|azure|gcp|cloudflare|local [--trigger KIND] [--function NAME] [--data FILE]... [--method M] [--path P] [--header 'K: V']... [--set NAME=VALUE]... PKG")
	provider := fs.String("provider", "local", "wire protocol to run the function under: aws, azure, gcp or local")
	trigger := fs.String("trigger", "", "native trigger to simulate: "+strings.Join(sample.Names(), ", ")+" (default http for an HTTP function)")
	function := fs.String("function", "", "function to invoke (default: the app's only function)")
	var data, headers, sets multiFlag
	fs.Var(&data, "data", "file holding one record's payload (the message body, the HTTP body); repeat for a batch; default {}")
	method := fs.String("method", "", "HTTP method (default: the route's first method, else GET without --data and POST with it)")
	path := fs.String("path", "", "HTTP path and query (default: the function's route)")
	fs.Var(&headers, "header", "HTTP request header 'Name: value'; repeatable")
	fs.Var(&sets, "set", "setting for the function's environment, NAME=VALUE; repeatable (the environment's own values apply too)")
	pkg, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkProvider(*provider, append(providers, "local")...); err != nil {
		return err
	}
	httpFlags := *method != "" || *path != ""
	if *trigger == "" && httpFlags {
		*trigger = "http"
	}
	var tk sample.Trigger
	if *trigger != "" {
		if tk, err = checkTrigger(*provider, *trigger); err != nil {
			return err
		}
	}
	for _, h := range headers {
		if k, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(k) == "" {
			return usageError(fmt.Sprintf("--header %q: want 'Name: value'", h))
		}
	}
	if *path != "" && !strings.HasPrefix(*path, "/") {
		return usageError(fmt.Sprintf("--path %q must start with /", *path))
	}
	for _, s := range sets {
		if name, _, ok := strings.Cut(s, "="); !ok || name == "" {
			return usageError(fmt.Sprintf("--set %q: want NAME=VALUE", s))
		}
	}
	bodies := make([][]byte, len(data))
	for i, file := range data {
		if bodies[i], err = os.ReadFile(file); err != nil {
			return err
		}
	}
	app, _, err := loadApp(ctx, e, pkg)
	if err != nil {
		return err
	}
	f, err := selectFunction(app, *function)
	if err != nil {
		return err
	}
	if *trigger == "" {
		if f.Kind != core.HTTPFunction {
			return usageError(fmt.Sprintf("--trigger is required for event function %q: the native trigger to simulate, one of %s (%s's: %s)",
				f.Name, strings.Join(sample.Names(), ", "), *provider, strings.Join(triggersOf(*provider), ", ")))
		}
		tk, _ = sample.Lookup("http")
	}
	if (f.Kind == core.HTTPFunction) != (tk.Kind == core.KindHTTPRequest) {
		return usageError(fmt.Sprintf("function %q is an %s function; trigger %q does not fit it", f.Name, f.Kind, tk.Name))
	}
	if httpFlags && f.Kind != core.HTTPFunction {
		return usageError("--method and --path are for HTTP functions")
	}
	if len(headers) > 0 && f.Kind != core.HTTPFunction && *provider != "local" && *provider != "gcp" {
		return usageError(fmt.Sprintf("--header reaches an event function only where events arrive over HTTP (local, gcp), not on %s", *provider))
	}
	if err := checkSettings(app, sets); err != nil {
		return err
	}
	// Resources without a URL are in memory: an invocation here reaches no cloud
	// (core/resource.EnvMemory; a --set URL still wins).
	inv := &invocation{provider: *provider, pkg: pkg, app: app, f: f, trigger: tk, env: append([]string{"POLYFN_RESOURCES=memory"}, sets...)}
	if f.Kind == core.HTTPFunction {
		if len(bodies) > 1 {
			return usageError("an HTTP request has one body: give --data once")
		}
		if inv.req, err = httpRequest(f, *method, *path, headers, bodies); err != nil {
			return err
		}
	} else {
		for _, b := range bodies {
			inv.recs = append(inv.recs, sample.Record{Data: b})
		}
		inv.headers = http.Header{}
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			inv.headers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	var outs []outcome
	switch *provider {
	case "local", "gcp":
		outs, err = invokeHTTP(ctx, e, inv)
	case "azure":
		outs, err = invokeAzure(ctx, e, inv)
	case "cloudflare":
		outs, err = invokeCloudflare(ctx, e, inv)
	default:
		outs, err = invokeAWS(ctx, e, inv)
	}
	if err != nil {
		return err
	}
	var failed []string
	for i, o := range outs {
		if o.failed {
			failed = append(failed, fmt.Sprintf("invocation %d: %s", i+1, o.why))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s failed (%d of %d invocations): %s", f.Name, len(failed), len(outs), strings.Join(failed, "; "))
	}
	return nil
}

// checkTrigger returns the trigger name names, if provider delivers it.
func checkTrigger(provider, name string) (sample.Trigger, error) {
	tk, ok := sample.Lookup(name)
	if !ok {
		return tk, usageError(fmt.Sprintf("unknown trigger %q (want one of %s)", name, strings.Join(sample.Names(), ", ")))
	}
	if tk.Provider != "" && provider != "local" && provider != "cloudflare" && tk.Provider != provider { // cloudflare: invokeCloudflare checks
		return tk, usageError(fmt.Sprintf("trigger %q belongs to provider %s, not %s", name, tk.Provider, provider))
	}
	return tk, nil
}

// triggersOf returns the triggers provider takes.
func triggersOf(provider string) []string {
	if provider == "local" {
		return sample.Names()
	}
	return append(sample.NamesOf(provider), "http", "schedule")
}

// checkSettings reports the required settings that neither the
// environment nor --set gives a value, as the function would at start-up.
func checkSettings(app *core.App, sets []string) error {
	given := map[string]bool{}
	for _, s := range sets {
		name, v, _ := strings.Cut(s, "=")
		given[name] = v != ""
	}
	var missing []string
	for _, s := range app.Settings() {
		if s.Required && !given[s.Name] && os.Getenv(s.Name) == "" {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return usageError(fmt.Sprintf("the app requires the settings %s: set them in the environment or with --set NAME=VALUE", strings.Join(missing, ", ")))
	}
	return nil
}

// httpRequest builds the request of an HTTP function: --method, --path
// (default: the function's route, a subtree's root), --header and the body.
func httpRequest(f *core.Function, method, path string, headers []string, bodies [][]byte) (*http.Request, error) {
	t, _ := f.Trigger(core.TriggerHTTP)
	if path == "" {
		path = strings.TrimSuffix(t.Route, "{$}")
		if strings.Contains(path, "{") {
			return nil, usageError(fmt.Sprintf("route %s has wildcards: give --path", t.Route))
		}
	}
	var body []byte
	if len(bodies) == 1 {
		body = bodies[0]
	}
	if method == "" {
		switch {
		case len(t.Methods) > 0:
			method = t.Methods[0]
		case body != nil:
			method = "POST"
		default:
			method = "GET"
		}
	}
	r, err := http.NewRequest(strings.ToUpper(method), "http://polyfn.invoke"+path, bytes.NewReader(body))
	if err != nil {
		return nil, usageError(fmt.Sprintf("--method %q --path %q: %v", method, path, err))
	}
	if body != nil {
		r.Header.Set("Content-Type", sample.ContentType(body))
	}
	r.Header.Set("User-Agent", "polyfn-invoke")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":") // checked by runInvoke
		r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return r, nil
}

// cloneRequest returns a copy of r with its own body, for one invocation.
func cloneRequest(r *http.Request) (*http.Request, []byte) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := r.Clone(context.Background())
	c.Body = io.NopCloser(bytes.NewReader(body))
	return c, body
}

// traceReader hands out the lines the function's trace file gained since
// the last call: the events one invocation delivered.
type traceReader struct {
	path string
	off  int
}

func (t *traceReader) next() []byte {
	b, _ := os.ReadFile(t.path)
	if t.off > len(b) {
		t.off = 0
	}
	out := b[t.off:]
	t.off = len(b)
	return out
}

// printSeen prints the events the function saw in one invocation.
func printSeen(e *env, f *core.Function, n, of int, seen []byte) {
	if of > 1 {
		fmt.Fprintf(e.stdout, "== invocation %d of %d\n", n, of)
	}
	if f.Kind != core.EventFunction {
		return
	}
	fmt.Fprintf(e.stdout, "== event seen by %s\n", f.Name)
	if len(bytes.TrimSpace(seen)) == 0 {
		fmt.Fprintln(e.stdout, "(none: the function did not run)")
		return
	}
	fmt.Fprint(e.stdout, indentJSONLines(seen))
}

// printLogs prints what the function's process wrote.
func printLogs(e *env, logs string) {
	fmt.Fprintln(e.stdout, "== logs")
	if strings.TrimSpace(logs) == "" {
		fmt.Fprintln(e.stdout, "(none)")
		return
	}
	fmt.Fprintln(e.stdout, strings.TrimRight(logs, "\n"))
}

// httpFailed reports whether a status is a failure of fn: any non-2xx of
// an event function, a 5xx of an HTTP function (a 4xx is its answer).
func httpFailed(f *core.Function, status int) bool {
	if f.Kind == core.HTTPFunction {
		return status >= 500
	}
	return status/100 != 2
}

func indentJSONLines(b []byte) string {
	var out strings.Builder
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var buf bytes.Buffer
		if json.Indent(&buf, line, "", "  ") != nil {
			out.Write(line)
		} else {
			out.Write(buf.Bytes())
		}
		out.WriteByte('\n')
	}
	return out.String()
}

// errNoInvocation is returned when a delivery produced nothing to send.
var errNoInvocation = errors.New("nothing to invoke")
