package sample

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/polyfn/polyfn/internal/azurehost"
)

// Azure returns the invocation requests the Functions host sends a custom
// handler for trigger, with the trigger's data under binding: one for a
// batch trigger (eventhubs and cosmos, cardinality many), one per record
// for the others (queue, servicebus, timer, blob, eventgrid). With no
// record, one request carries an empty JSON object.
func Azure(trigger, binding string, recs []Record) ([]azurehost.Request, error) {
	recs = ids("invoke", one(recs))
	now := time.Now().UTC().Truncate(time.Second)
	switch trigger {
	case "eventhubs":
		pc := azurehost.PartitionContext{FullyQualifiedNamespace: "polyfn.servicebus.windows.net", EventHubName: "invoke", ConsumerGroup: "$Default", PartitionId: "0"}
		evs := make([]azurehost.EventHubEvent, len(recs))
		for i, r := range recs {
			evs[i] = azurehost.EventHubEvent{MessageID: r.ID, SequenceNumber: int64(i + 1), Offset: fmt.Sprint(i * 512), PartitionKey: r.Key, EnqueuedTime: now, Body: r.Data}
		}
		return []azurehost.Request{azurehost.EventHubBatch(binding, pc, evs, "string")}, nil
	case "cosmos":
		docs := make([]json.RawMessage, len(recs))
		for i, r := range recs {
			doc, err := cosmosDocument(r, i, now)
			if err != nil {
				return nil, err
			}
			docs[i] = doc
		}
		return []azurehost.Request{azurehost.CosmosDB(binding, docs, 4)}, nil
	}
	out := make([]azurehost.Request, 0, len(recs))
	for _, r := range recs {
		switch trigger {
		case "queue":
			out = append(out, azurehost.Queue(binding, azurehost.QueueMessage{ID: r.ID, PopReceipt: "AgAAAAMAAAAAAAAA", DequeueCount: 1,
				InsertionTime: now, ExpirationTime: now.Add(7 * 24 * time.Hour), NextVisible: now.Add(30 * time.Second), Body: r.Data}))
		case "servicebus":
			out = append(out, azurehost.ServiceBus(binding, azurehost.ServiceBusMessage{MessageID: r.ID, ContentType: ContentType(r.Data),
				DeliveryCount: 1, SequenceNumber: 1, EnqueuedTime: now, SessionID: r.Key, Body: r.Data}))
		case "timer", "schedule":
			out = append(out, azurehost.Timer(binding, &azurehost.ScheduleStatus{Last: now.Add(-time.Hour), Next: now.Add(time.Hour), LastUpdated: now}, false))
		case "blob":
			out = append(out, azurehost.Blob(binding, "https://polyfn.blob.core.windows.net/invoke/payload", r.Data, ContentType(r.Data), "0x8DCAFE", now))
		case "eventgrid":
			ev, _ := json.Marshal(map[string]any{"id": r.ID, "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.EventGrid/topics/invoke",
				"subject": "invoke", "eventType": "Polyfn.Invoke", "eventTime": now.Format(time.RFC3339), "dataVersion": "1.0", "data": json.RawMessage(jsonOrString(r.Data))})
			out = append(out, azurehost.EventGrid(binding, ev))
		default:
			return nil, fmt.Errorf("trigger %q is not an Azure trigger (%v)", trigger, NamesOf("azure"))
		}
	}
	return out, nil
}

// cosmosDocument returns a change feed document: the record's JSON object
// plus the system properties Cosmos DB adds.
func cosmosDocument(r Record, i int, now time.Time) (json.RawMessage, error) {
	var doc map[string]any
	if err := json.Unmarshal(r.Data, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("trigger cosmos: record %d must be a JSON object (the document)", i+1)
	}
	for k, v := range map[string]any{"id": fmt.Sprintf("doc-%d", i+1), "_rid": "Sl8fALN4sw4BAAAAAAAAAA==", "_etag": `"0000d986-0000-0d00-0000-65f0e1d10000"`,
		"_ts": now.Unix(), "_lsn": 42 + i, "_self": "dbs/Sl8fAA==/colls/Sl8fALN4sw4=/docs/Sl8fALN4sw4BAAAAAAAAAA==/"} {
		if _, ok := doc[k]; !ok {
			doc[k] = v
		}
	}
	return json.Marshal(doc)
}

// AzureHTTP returns the envelope-mode invocation of an HTTP trigger for r,
// with the route parameters the host finds by matching r's path against
// route, the function's Azure route template ("api/{*polyfnpath}"). It
// reads r's body.
func AzureHTTP(binding, route string, r *http.Request) azurehost.Request {
	return azurehost.HTTP(binding, r, RouteParams(route, r.URL.Path))
}

// RouteParams matches path against an Azure route template and returns
// its parameters: {name} takes one segment, {*name} the rest; nil when the
// path does not match.
func RouteParams(route, path string) map[string]string {
	params := map[string]string{}
	tpl := strings.Split(strings.Trim(route, "/"), "/")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, t := range tpl {
		name, isParam := strings.CutPrefix(t, "{")
		name, _ = strings.CutSuffix(name, "}")
		name, _ = strings.CutSuffix(name, "?")
		if rest, ok := strings.CutPrefix(name, "*"); ok && isParam {
			if i < len(segs) {
				params[rest] = strings.Join(segs[i:], "/")
			}
			return params
		}
		if i >= len(segs) {
			return nil
		}
		switch {
		case isParam:
			params[name] = segs[i]
		case !strings.EqualFold(t, segs[i]):
			return nil
		}
	}
	if len(segs) != len(tpl) {
		return nil
	}
	return params
}

// jsonOrString returns data when it is JSON, else data as a JSON string.
func jsonOrString(data []byte) []byte {
	if jsonValid(data) {
		return data
	}
	b, _ := json.Marshal(strings.TrimSpace(string(data)))
	return b
}

func jsonValid(b []byte) bool { return json.Valid(b) }
