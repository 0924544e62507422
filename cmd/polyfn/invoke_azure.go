package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/azurehost"
	"github.com/polyfn/polyfn/internal/trace"
	"github.com/polyfn/polyfn/providers/azure"
	"github.com/polyfn/polyfn/providers/azure/funcapp"
)

// invokeAzure builds pkg as a custom handler, starts it as the Functions
// host does and sends it one invocation request for trigger, through the
// host simulator (package internal/azurehost), which also judges the answer
// by the host's rules.
func invokeAzure(ctx context.Context, e *env, app *core.App, pkg string, f *core.Function, trigger string, data []byte) error {
	dir, err := os.MkdirTemp("", "polyfn-invoke-azure-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	binding := defaultBinding(trigger)
	if len(f.Triggers) > 0 {
		// A declared trigger: write the function app, as func start would
		// find it, and use the binding name the app's function.json holds.
		files, err := funcapp.Files(app, funcapp.HostOptions{})
		if err != nil {
			return err
		}
		for name, b := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return err
			}
		}
		if b, err := azure.TriggerBinding(f); err == nil {
			binding = b.Name
		}
	}
	bin := filepath.Join(dir, "handler")
	goBin, err := goTool()
	if err != nil {
		return err
	}
	e.progress("building %s (tags %q)", pkg, "polyfn.azure")
	if out, err := execOutput(ctx, goBin, "build", "-tags", "polyfn.azure", "-o", bin, pkg); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	traceFile := filepath.Join(dir, "trace.jsonl")
	e.progress("starting the handler as the Functions host does")
	proc, err := azurehost.Start(ctx, bin, azurehost.StartOptions{Dir: dir, Env: []string{trace.EnvVar + "=" + traceFile}})
	if err != nil {
		return err
	}
	defer proc.Stop()

	req, err := azureRequest(trigger, binding, data)
	if err != nil {
		return err
	}
	e.progress("invoking %s (%s)", f.Name, trigger)
	res, err := proc.Invoke(ctx, f.Name, req)
	if err != nil {
		return fmt.Errorf("invoke: %w\n%s", err, proc.Stderr())
	}
	if f.Kind == core.EventFunction {
		seen, _ := os.ReadFile(traceFile)
		fmt.Fprintf(e.stdout, "== event seen by %s\n%s", f.Name, indentJSONLines(seen))
		fmt.Fprintln(e.stdout, "== reply ($return / output bindings)")
		if len(res.ReturnValue) > 0 {
			fmt.Fprintf(e.stdout, "%s", indentJSONLines(res.ReturnValue))
		}
		for name, v := range res.Outputs {
			fmt.Fprintf(e.stdout, "output %s: %s\n", name, v)
		}
		if len(res.ReturnValue) == 0 && len(res.Outputs) == 0 {
			fmt.Fprintln(e.stdout, "(none)")
		}
	}
	fmt.Fprintf(e.stdout, "== response (host's view)\nHTTP %d, failed=%v %s\n%s\n", res.Status, res.Failed, res.Reason, bytes.TrimSpace(res.Body))
	if res.Failed {
		return fmt.Errorf("the host would count invocation %s as failed: %s\n%s", res.InvocationID, res.Reason, proc.Stderr())
	}
	return nil
}

func defaultBinding(trigger string) string {
	switch trigger {
	case "http":
		return "req"
	case "timer":
		return "timer"
	}
	return "msg"
}

// azureRequest wraps data in the invocation request the host sends for trigger.
func azureRequest(trigger, binding string, data []byte) (azurehost.Request, error) {
	now := time.Now().UTC().Truncate(time.Second)
	id := azurehost.NewInvocationID()
	switch trigger {
	case "queue":
		return azurehost.Queue(binding, azurehost.QueueMessage{ID: id, PopReceipt: "AgAAAAMAAAAAAAAA", DequeueCount: 1,
			InsertionTime: now, ExpirationTime: now.Add(7 * 24 * time.Hour), NextVisible: now.Add(30 * time.Second), Body: data}), nil
	case "servicebus":
		return azurehost.ServiceBus(binding, azurehost.ServiceBusMessage{MessageID: id, ContentType: sniffContentType(data),
			DeliveryCount: 1, SequenceNumber: 1, EnqueuedTime: now, Body: data}), nil
	case "eventhubs":
		pc := azurehost.PartitionContext{FullyQualifiedNamespace: "polyfn.servicebus.windows.net", EventHubName: "invoke", ConsumerGroup: "$Default", PartitionId: "0"}
		return azurehost.EventHub(binding, pc, azurehost.EventHubEvent{SequenceNumber: 1, Offset: "0", EnqueuedTime: now, Body: data}, false), nil
	case "timer":
		return azurehost.Timer(binding, &azurehost.ScheduleStatus{Last: now.Add(-time.Hour), Next: now.Add(time.Hour), LastUpdated: now}, false), nil
	case "blob":
		return azurehost.Blob(binding, "https://polyfn.blob.core.windows.net/invoke/payload", data, sniffContentType(data), "0x8DCAFE", now), nil
	case "cosmos":
		// A change feed document: the data's fields plus the system
		// properties Cosmos DB adds.
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
			return azurehost.Request{}, usageError("trigger cosmos: --data must hold a JSON object (the document)")
		}
		for k, v := range map[string]any{"id": "doc-1", "_rid": "Sl8fALN4sw4BAAAAAAAAAA==", "_etag": `"0000d986-0000-0d00-0000-65f0e1d10000"`,
			"_ts": now.Unix(), "_lsn": 42, "_self": "dbs/Sl8fAA==/colls/Sl8fALN4sw4=/docs/Sl8fALN4sw4BAAAAAAAAAA==/"} {
			if _, ok := doc[k]; !ok {
				doc[k] = v
			}
		}
		b, _ := json.Marshal(doc)
		return azurehost.CosmosDB(binding, []json.RawMessage{b}, 4), nil
	case "eventgrid":
		ev, _ := json.Marshal(map[string]any{"id": id, "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.EventGrid/topics/invoke",
			"subject": "invoke", "eventType": "Polyfn.Invoke", "eventTime": now.Format(time.RFC3339), "dataVersion": "1.0", "data": json.RawMessage(jsonOrString(data))})
		return azurehost.EventGrid(binding, ev), nil
	case "http":
		r, _ := http.NewRequest("POST", "https://polyfn-invoke.azurewebsites.net/api/invoke", bytes.NewReader(data))
		r.Header.Set("Content-Type", sniffContentType(data))
		return azurehost.HTTP(binding, r, nil), nil
	}
	return azurehost.Request{}, usageError(fmt.Sprintf("trigger %q is not an Azure trigger", trigger))
}

// jsonOrString returns data when it is JSON, else data as a JSON string.
func jsonOrString(data []byte) []byte {
	if json.Valid(data) {
		return data
	}
	b, _ := json.Marshal(strings.TrimSpace(string(data)))
	return b
}
