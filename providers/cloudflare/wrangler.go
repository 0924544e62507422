package cloudflare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Files of the folder polyfn build --provider cloudflare writes.
const (
	// ShimFile is the Worker's main module (adapters/cloudflare's shim).
	ShimFile = "worker.mjs"
	// WasmExecFile is the Go toolchain's wasm_exec.js the shim imports.
	WasmExecFile = "wasm_exec.js"
	// WasmFile is the App built with GOOS=js GOARCH=wasm.
	WasmFile = "app.wasm"
	// WranglerFile is the Worker's configuration for wrangler deploy.
	WranglerFile = "wrangler.jsonc"
	// WorkerdFile is the workerd configuration serving the Worker locally.
	WorkerdFile = "workerd.capnp"
	// KVFile is the Worker that keeps workerd.capnp's KV namespaces in
	// memory, when Options.KV names some.
	KVFile = "kv.mjs"
)

// DefaultCompatibilityDate is the Workers compatibility date of the
// manifests: the date of the workerd release polyfn is tested on.
const DefaultCompatibilityDate = "2026-11-17"

// Options names the Worker and what the manifests cannot learn from the App.
type Options struct {
	// Name is the Worker's name: lower-case letters, digits and '-'.
	Name string
	// Host, when set, routes the App's paths on that host (a zone of the
	// account, "api.example.com") to the Worker; without it the Worker is
	// reached on its workers.dev address.
	Host string
	// CompatibilityDate is the Workers compatibility date;
	// DefaultCompatibilityDate when empty.
	CompatibilityDate string
	// Vars are values for settings, written into workerd.capnp as text
	// bindings (local runs only: wrangler.jsonc never carries values
	// other than the settings' defaults).
	Vars map[string]string
	// KV names the Workers KV namespace bindings the App uses
	// (adapters/cloudflare.KV): kv_namespaces in wrangler.jsonc, and in
	// workerd.capnp namespaces kept in memory by KVFile.
	KV []string
}

func (o Options) check() (Options, error) {
	if o.CompatibilityDate == "" {
		o.CompatibilityDate = DefaultCompatibilityDate
	}
	for _, kv := range o.KV {
		if kv == "" || strings.Trim(kv, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return o, errorf("KV binding %q: want letters, digits and '_'", kv)
		}
	}
	if o.Name == "" || strings.Trim(o.Name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || o.Name[0] == '-' || len(o.Name) > 63 {
		return o, errorf("worker name %q: want 1 to 63 lower-case letters, digits and '-'", o.Name)
	}
	if strings.ContainsAny(o.Host, "/:* ") {
		return o, errorf("host %q: want a host name such as api.example.com", o.Host)
	}
	return o, nil
}

// WorkerName turns a package or folder name into a valid Worker name.
func WorkerName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	n := strings.Trim(b.String(), "-")
	if len(n) > 63 {
		n = strings.Trim(n[:63], "-")
	}
	if n == "" {
		n = "polyfn"
	}
	return n
}

type wrangler struct {
	Name              string            `json:"name"`
	Main              string            `json:"main"`
	CompatibilityDate string            `json:"compatibility_date"`
	WorkersDev        bool              `json:"workers_dev"`
	Routes            []route           `json:"routes,omitempty"`
	Triggers          *triggers         `json:"triggers,omitempty"`
	Queues            *queues           `json:"queues,omitempty"`
	Vars              map[string]string `json:"vars,omitempty"`
	KVNamespaces      []kvNamespace     `json:"kv_namespaces,omitempty"`
}

type kvNamespace struct {
	Binding string `json:"binding"`
}

type route struct {
	Pattern  string `json:"pattern"`
	ZoneName string `json:"zone_name"`
}

type triggers struct {
	Crons []string `json:"crons"`
}

type queues struct {
	Consumers []consumer `json:"consumers"`
}

type consumer struct {
	Queue           string `json:"queue"`
	MaxBatchSize    int    `json:"max_batch_size,omitempty"`
	MaxBatchTimeout int    `json:"max_batch_timeout,omitempty"`
	MaxRetries      int    `json:"max_retries"`
	DeadLetterQueue string `json:"dead_letter_queue"`
}

// DefaultMaxRetries is a queue consumer's max_retries unless the trigger
// sets it (core.Trigger.With("cloudflare", "max_retries", N)).
const DefaultMaxRetries = 3

// Wrangler returns wrangler.jsonc for app: the shim as main module, routes
// on o.Host (else workers.dev) for the HTTP functions and the event
// functions Cloudflare does not trigger itself (POST /NAME), one Cron Trigger per distinct schedule
// (UTC only: see Cron), one queue consumer per queue trigger (batch size
// from core.Trigger.WithBatchSize, at most MaxQueueBatch; max_retries and
// the dead-letter queue NAME-dlq, both settable with
// core.Trigger.With("cloudflare", "max_retries"|"dead_letter_queue"|
// "max_batch_timeout", ...)), the non-secret settings with a default as
// vars, and comments naming the secrets and the settings to set before a
// deploy. A trigger Workers cannot deliver (topic, stream, storage) is an
// error naming the function.
func Wrangler(app *core.App, o Options) ([]byte, error) {
	o, err := o.check()
	if err != nil {
		return nil, err
	}
	w := wrangler{Name: o.Name, Main: ShimFile, CompatibilityDate: o.CompatibilityDate, WorkersDev: o.Host == ""}
	crons := map[string]bool{}
	var notes []string
	seenRoute := map[string]bool{}
	addRoute := func(path string) {
		if o.Host == "" {
			return
		}
		if i := strings.IndexByte(path, '{'); i >= 0 {
			path = path[:i]
		}
		if strings.HasSuffix(path, "/") {
			path += "*"
		}
		if p := o.Host + path; !seenRoute[p] {
			seenRoute[p] = true
			w.Routes = append(w.Routes, route{Pattern: p, ZoneName: zoneOf(o.Host)})
		}
	}
	for _, f := range app.Functions() {
		if f.Kind == core.EventFunction && !platformTriggered(f) {
			addRoute("/" + f.Name) // CloudEvents over HTTP, as on the local adapter
		}
		for _, t := range f.Triggers {
			switch t.Kind {
			case core.TriggerHTTP:
				addRoute(t.Route)
			case core.TriggerSchedule:
				c, err := Cron(t)
				if err != nil {
					return nil, fmt.Errorf("function %s: %w", f.Name, err)
				}
				crons[c] = true
			case core.TriggerQueue:
				c, err := consumerOf(t)
				if err != nil {
					return nil, fmt.Errorf("function %s: %w", f.Name, err)
				}
				if w.Queues == nil {
					w.Queues = &queues{}
				}
				w.Queues.Consumers = append(w.Queues.Consumers, c)
			case core.TriggerEvent:
				// Delivered as CloudEvents over HTTP at POST /NAME.
			default:
				return nil, fmt.Errorf("function %s: %w", f.Name, errorf("trigger %s: Cloudflare Workers deliver HTTP requests, Cron Triggers and Queues only", t))
			}
		}
	}
	for _, kv := range o.KV {
		w.KVNamespaces = append(w.KVNamespaces, kvNamespace{Binding: kv})
		notes = append(notes, fmt.Sprintf("KV namespace %s: npx wrangler kv namespace create %s, then add its \"id\" to kv_namespaces (unless wrangler provisions it)", kv, kv))
	}
	if len(crons) > 0 {
		w.Triggers = &triggers{Crons: sortedKeys(crons)}
	}
	for _, s := range app.Settings() {
		switch {
		case s.Secret:
			notes = append(notes, fmt.Sprintf("secret %s: npx wrangler secret put %s%s", s.Name, s.Name, describe(s)))
		case s.Default != "":
			if w.Vars == nil {
				w.Vars = map[string]string{}
			}
			w.Vars[s.Name] = s.Default
		case s.Required:
			notes = append(notes, fmt.Sprintf("required setting %s: add it to vars%s", s.Name, describe(s)))
		default:
			notes = append(notes, fmt.Sprintf("optional setting %s: add it to vars to set it%s", s.Name, describe(s)))
		}
	}
	body, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("// " + WranglerFile + " for the Worker " + o.Name + ", written by polyfn build --provider cloudflare.\n")
	b.WriteString("// Deploy from this folder: npx wrangler deploy\n")
	if w.Queues != nil {
		b.WriteString("// Create each queue and its dead-letter queue first: npx wrangler queues create NAME\n")
	}
	for _, n := range notes {
		b.WriteString("// " + n + "\n")
	}
	b.Write(body)
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// platformTriggered reports whether Cloudflare itself delivers f's
// events (a Cron Trigger, a queue): such a function gets no route.
func platformTriggered(f *core.Function) bool {
	_, cron := f.Trigger(core.TriggerSchedule)
	_, queue := f.Trigger(core.TriggerQueue)
	return cron || queue
}

func consumerOf(t core.Trigger) (consumer, error) {
	c := consumer{Queue: t.Name, MaxBatchSize: t.BatchSize, MaxRetries: DefaultMaxRetries, DeadLetterQueue: t.Name + "-dlq"}
	if t.BatchSize > MaxQueueBatch {
		return c, errorf("queue %s: batch size %d over Cloudflare Queues' %d", t.Name, t.BatchSize, MaxQueueBatch)
	}
	for key, dst := range map[string]*int{"max_retries": &c.MaxRetries, "max_batch_timeout": &c.MaxBatchTimeout} {
		if v := t.Setting("cloudflare", key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				return c, errorf("queue %s: %s %q: want a whole number from 0 to 100", t.Name, key, v)
			}
			*dst = n
		}
	}
	if v := t.Setting("cloudflare", "dead_letter_queue"); v != "" {
		c.DeadLetterQueue = v
	}
	return c, nil
}

// zoneOf returns the zone of a host: its last two labels.
func zoneOf(host string) string {
	labels := strings.Split(host, ".")
	if len(labels) <= 2 {
		return host
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

func describe(s core.Setting) string {
	if s.Description == "" {
		return ""
	}
	return " (" + strings.ReplaceAll(s.Description, "\n", " ") + ")"
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
