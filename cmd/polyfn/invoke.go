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
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/trace"
)

// triggerKinds maps the --trigger values to the portable kind of event they
// produce and the provider that delivers them.
var triggerKinds = map[string]struct {
	provider string
	kind     core.EventKind
	ceType   string
}{
	"sqs":         {"aws", core.KindQueueMessage, "com.amazonaws.sqs.message"},
	"sns":         {"aws", core.KindTopicMessage, "com.amazonaws.sns.Notification"},
	"eventbridge": {"aws", core.KindBusEvent, "com.example.event"},
	"schedule":    {"", core.KindScheduleFired, "Scheduled Event"},
	"kinesis":     {"aws", core.KindStreamRecord, "com.amazonaws.kinesis.stream_record"},
	"dynamodb":    {"aws", core.KindDBDocumentUpdated, "com.amazonaws.dynamodb.MODIFY"},
	"s3":          {"aws", core.KindStorageObjectCreated, "com.amazonaws.s3.ObjectCreated:Put"},
	"apigw-v1":    {"aws", core.KindHTTPRequest, ""},
	"apigw-v2":    {"aws", core.KindHTTPRequest, ""},
	"alb":         {"aws", core.KindHTTPRequest, ""},
	"url":         {"aws", core.KindHTTPRequest, ""},
	"queue":       {"azure", core.KindQueueMessage, "com.microsoft.azure.queuestorage.message"},
	"servicebus":  {"azure", core.KindQueueMessage, "com.microsoft.azure.servicebus.message"},
	"eventgrid":   {"azure", core.KindBusEvent, "com.example.event"},
	"eventhubs":   {"azure", core.KindStreamRecord, "com.microsoft.azure.eventhub.message"},
	"timer":       {"azure", core.KindScheduleFired, "com.microsoft.azure.functions.timer.fired"},
	"blob":        {"azure", core.KindStorageObjectCreated, "Microsoft.Storage.BlobCreated"},
	"cosmos":      {"azure", core.KindDBDocumentWritten, "com.microsoft.azure.cosmosdb.document.written"},
	"pubsub":      {"gcp", core.KindTopicMessage, "google.cloud.pubsub.topic.v1.messagePublished"},
	"storage":     {"gcp", core.KindStorageObjectCreated, "google.cloud.storage.object.v1.finalized"},
	"firestore":   {"gcp", core.KindDBDocumentWritten, "google.cloud.firestore.document.v1.written"},
	"http":        {"", core.KindHTTPRequest, ""},
}

func triggerNames() string {
	names := make([]string, 0, len(triggerKinds))
	for n := range triggerKinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func runInvoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "invoke", "invoke --provider aws|azure|gcp|local --trigger KIND [--data FILE] [--function NAME] PKG")
	provider := fs.String("provider", "local", "wire protocol to run the function under: aws, azure, gcp or local")
	trigger := fs.String("trigger", "", "native trigger to simulate: "+triggerNames())
	dataFile := fs.String("data", "", "file holding the payload (the message body, the HTTP body); default {}")
	function := fs.String("function", "", "function to invoke (default: the app's only function)")
	pkg, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkProvider(*provider, append(providers, "local")...); err != nil {
		return err
	}
	tk, ok := triggerKinds[*trigger]
	if !ok {
		return usageError(fmt.Sprintf("unknown trigger %q (want one of %s)", *trigger, triggerNames()))
	}
	if tk.provider != "" && *provider != "local" && tk.provider != *provider {
		return usageError(fmt.Sprintf("trigger %q belongs to provider %s, not %s", *trigger, tk.provider, *provider))
	}
	data := []byte("{}")
	if *dataFile != "" {
		if data, err = os.ReadFile(*dataFile); err != nil {
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
	if (f.Kind == core.HTTPFunction) != (tk.kind == core.KindHTTPRequest) {
		return usageError(fmt.Sprintf("function %q is an %s function; trigger %q does not fit it", f.Name, f.Kind, *trigger))
	}
	switch *provider {
	case "local", "gcp":
		return invokeHTTP(ctx, e, *provider, app, pkg, f, *trigger, data)
	case "azure":
		return invokeAzure(ctx, e, app, pkg, f, *trigger, data)
	default: // aws
		return invokeAWS(ctx, e, pkg, f, *trigger, data)
	}
}

// invokeHTTP runs pkg with the local adapter, or as Cloud Functions runs a
// source deploy (functions-framework-go's server), and sends it one request
// as the platform would.
func invokeHTTP(ctx context.Context, e *env, provider string, app *core.App, pkg string, f *core.Function, trigger string, data []byte) error {
	dir, err := os.MkdirTemp("", "polyfn-invoke-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "fn")
	goBin, err := goTool()
	if err != nil {
		return err
	}
	env, ready := []string(nil), "/healthz"
	if provider == "gcp" {
		// A source deploy's process: the buildpack's main serving the
		// function with functions-framework-go.
		if bin, err = buildGCFServer(ctx, e, app, pkg, filepath.Join(dir, "gcp")); err != nil {
			return err
		}
		env, ready = []string{"FUNCTION_TARGET=" + f.Name}, "/"
	} else {
		e.progress("building %s", pkg)
		if out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	traceFile := filepath.Join(dir, "trace.jsonl")
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(append(os.Environ(), "PORT="+port, trace.EnvVar+"="+traceFile), env...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	e.progress("starting %s on port %s", pkg, port)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	base := "http://127.0.0.1:" + port
	if err := waitHTTP(ctx, base+ready, 15*time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, logs.String())
	}

	var req *http.Request
	if f.Kind == core.HTTPFunction {
		t, _ := f.Trigger(core.TriggerHTTP)
		method := "POST"
		if len(t.Methods) > 0 {
			method = t.Methods[0]
		}
		req, _ = http.NewRequestWithContext(ctx, method, base+strings.TrimSuffix(t.Route, "{$}"), bytes.NewReader(data))
		req.Header.Set("Content-Type", sniffContentType(data))
	} else {
		ev := sampleEvent(trigger, data)
		path := "/" + f.Name
		if provider == "gcp" {
			ev, path = googleEvent(trigger, data), "/"
		}
		req, _ = http.NewRequestWithContext(ctx, "POST", base+path, bytes.NewReader(ev.Data()))
		if err := cehttp.SetBinaryHeaders(req.Header, &ev); err != nil {
			return err
		}
	}
	e.progress("invoking %s (%s)", f.Name, trigger)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("invoke: %w\n%s", err, logs.String())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)

	if f.Kind == core.EventFunction {
		seen, _ := os.ReadFile(traceFile)
		fmt.Fprintf(e.stdout, "== event seen by %s\n%s", f.Name, indentJSONLines(seen))
		fmt.Fprintln(e.stdout, "== reply")
		if resp.StatusCode == http.StatusOK && cehttp.ModeOf(resp.Header) != cehttp.NotCloudEvent {
			reply, err := cehttp.ReadBinary(resp.Header, body)
			if err != nil {
				fmt.Fprintf(e.stdout, "(not a CloudEvent: %v)\n", err)
			} else {
				line, _ := cejson.Marshal(reply)
				fmt.Fprintf(e.stdout, "%s", indentJSONLines(append(line, '\n')))
			}
		} else if provider == "gcp" {
			fmt.Fprintln(e.stdout, "(none: a Cloud Functions CloudEvent function has no reply channel)")
		} else {
			fmt.Fprintln(e.stdout, "(none)")
		}
	}
	fmt.Fprintln(e.stdout, "== response")
	resp.Body = io.NopCloser(bytes.NewReader(body))
	dump, _ := httputil.DumpResponse(resp, true)
	fmt.Fprintf(e.stdout, "%s\n", bytes.TrimRight(dump, "\r\n"))
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered %s", f.Name, resp.Status)
	}
	return nil
}

// sampleEvent wraps data in the CloudEvent the trigger's provider would
// deliver to an event function.
func sampleEvent(trigger string, data []byte) core.Event {
	tk := triggerKinds[trigger]
	e := core.NewEvent(fmt.Sprintf("invoke-%d", time.Now().UnixNano()), "polyfn/invoke/"+trigger, tk.ceType, sniffContentType(data), data)
	e.SetTime(time.Now().UTC())
	driver.SetKind(&e, tk.kind)
	return e
}

// googleEvent is the CloudEvent Eventarc delivers for trigger, with data in
// the place Google's event type keeps the payload: the Pub/Sub message data
// (base64), a Cloud Scheduler job's custom data, a Cloud Storage object's
// metadata, a Firestore document's field.
func googleEvent(trigger string, data []byte) core.Event {
	tk := triggerKinds[trigger]
	now := time.Now().UTC()
	id := fmt.Sprint(now.UnixNano())
	var source, subject string
	var body any
	ceType := tk.ceType
	switch trigger {
	case "schedule":
		ceType, source = "google.cloud.scheduler.job.v1.executed", "//cloudscheduler.googleapis.com/projects/polyfn-invoke/locations/us-central1/jobs/invoke"
		body = map[string]any{"customData": data}
	case "pubsub":
		source = "//pubsub.googleapis.com/projects/polyfn-invoke/topics/invoke"
		body = map[string]any{
			"message": map[string]any{"data": data, "messageId": id, "publishTime": now.Format(time.RFC3339Nano),
				"attributes": map[string]string{"origin": "polyfn-invoke"}},
			"subscription": "projects/polyfn-invoke/subscriptions/invoke",
		}
	case "storage":
		source, subject = "//storage.googleapis.com/projects/_/buckets/polyfn-invoke", "objects/payload"
		body = map[string]any{"bucket": "polyfn-invoke", "name": "payload", "size": fmt.Sprint(len(data)),
			"contentType": sniffContentType(data), "timeCreated": now.Format(time.RFC3339Nano), "generation": id}
	default: // firestore
		source, subject = "//firestore.googleapis.com/projects/polyfn-invoke/databases/(default)", "documents/invoke/doc-1"
		body = map[string]any{"value": map[string]any{"name": "projects/polyfn-invoke/databases/(default)/documents/invoke/doc-1",
			"fields": map[string]any{"payload": map[string]string{"stringValue": string(data)}}, "createTime": now.Format(time.RFC3339Nano)}}
	}
	b, _ := json.Marshal(body)
	e := core.NewEvent(id, source, ceType, "application/json", b)
	if subject != "" {
		e.SetSubject(subject)
	}
	e.SetTime(now)
	return e
}

func sniffContentType(data []byte) string {
	if json.Valid(data) {
		return "application/json"
	}
	return http.DetectContentType(data)
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

func execOutput(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port), nil
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", url, timeout)
}
