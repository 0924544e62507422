package sample

import (
	"context"
	"encoding/json"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/azurehost"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/providers/aws"
	"github.com/polyfn/polyfn/providers/azure"
	"github.com/polyfn/polyfn/providers/gcp"
)

// A Delivery is one invocation as a provider's adapter presents it to a
// function: the events, and how the adapter runs them.
type Delivery struct {
	// Events holds one event per record, decoded by the provider.
	Events []core.Event
	// Batch is true when the platform delivers the records in one
	// invocation, which succeeds only as the provider reports per record.
	Batch bool
	// Trigger is the kind of trigger the invocation reports.
	Trigger core.TriggerKind
	// Options are the driver.RunBatch options the adapter uses: ordering
	// and the per-record context of the native accessors
	// (aws.SQSMessageFromContext, azure.RequestFromContext).
	Options driver.BatchOptions
}

// Decode returns the deliveries of trigger t for recs as provider's
// adapter presents them to function f (nil for none declared): the native
// payloads of AWS, Azure and Google decoded by their provider, CloudEvents
// for local. A trigger of another provider under local is decoded by that
// provider, as local presents the same event. The error names what the
// provider refused.
func Decode(provider string, t Trigger, f *core.Function, recs []Record) ([]Delivery, error) {
	name := ""
	if f != nil {
		name = f.Name
	}
	from := t.Provider
	if from == "" {
		from = provider
	}
	switch from {
	case "aws":
		return decodeAWS(t, recs)
	case "azure":
		return decodeAzure(t, f, recs)
	case "gcp":
		evs, err := Google(t.Name, name, recs)
		if err != nil {
			return nil, err
		}
		out := make([]Delivery, len(evs))
		for i, e := range evs {
			if err := gcp.Normalize(&e); err != nil {
				return nil, err
			}
			out[i] = Delivery{Events: []core.Event{e}, Trigger: invoke.TriggerOf(core.EventKindOf(e))}
		}
		return out, nil
	}
	evs := Local(t, recs)
	if t.Batch && len(evs) > 1 {
		return []Delivery{{Events: evs, Batch: true, Trigger: invoke.TriggerOf(t.Kind), Options: driver.BatchOptions{StopOnFailure: keyed(evs)}}}, nil
	}
	out := make([]Delivery, len(evs))
	for i, e := range evs {
		out[i] = Delivery{Events: []core.Event{e}, Trigger: invoke.TriggerOf(t.Kind)}
	}
	return out, nil
}

func decodeAWS(t Trigger, recs []Record) ([]Delivery, error) {
	payloads, err := AWS(t.Name, recs)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(payloads))
	for _, p := range payloads {
		src, err := aws.Sniff(p)
		if err != nil {
			return nil, err
		}
		b, err := aws.Decode(src, p)
		if err != nil {
			return nil, err
		}
		out = append(out, Delivery{Events: b.Events, Batch: b.ReportsItemFailures(), Trigger: b.Trigger(), Options: b.Options(0)})
	}
	return out, nil
}

func decodeAzure(t Trigger, f *core.Function, recs []Record) ([]Delivery, error) {
	var src azure.Source
	if f != nil && len(f.Triggers) > 0 {
		var err error
		if src, err = azure.SourceOf(f); err != nil {
			return nil, err
		}
	}
	binding := src.Trigger.Name
	if binding == "" {
		binding = DefaultBinding(t.Name)
	}
	reqs, err := Azure(t.Name, binding, recs)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(reqs))
	for _, hr := range reqs {
		body, err := json.Marshal(withSys(hr, src.Function))
		if err != nil {
			return nil, err
		}
		req, err := azure.ParseRequest(body)
		if err != nil {
			return nil, err
		}
		inv, err := azure.Decode(req, src)
		if err != nil {
			return nil, err
		}
		opts := inv.Options()
		opts.Context = func(ctx context.Context, _ int) context.Context { return azure.NewContext(ctx, req) }
		out = append(out, Delivery{Events: inv.Events, Batch: inv.Batch, Trigger: inv.Trigger, Options: opts})
	}
	return out, nil
}

// withSys adds the Metadata.sys member the host sends with every request.
func withSys(r azurehost.Request, function string) azurehost.Request {
	if _, ok := r.Metadata["sys"]; !ok {
		r.Metadata["sys"] = azurehost.Encode(map[string]any{"MethodName": function, "UtcNow": "2026-01-01T00:00:00Z", "RandGuid": azurehost.NewInvocationID()})
	}
	return r
}

// DefaultBinding returns the binding name polyfn's function.json gives
// trigger's data.
func DefaultBinding(trigger string) string {
	switch trigger {
	case "http":
		return "req"
	case "timer", "schedule":
		return "timer"
	case "eventhubs":
		return "events"
	case "eventgrid":
		return "event"
	case "blob":
		return "blob"
	case "cosmos":
		return "documents"
	}
	return "msg"
}

// keyed reports whether any event carries an ordering key.
func keyed(evs []core.Event) bool {
	for _, e := range evs {
		if _, ok := core.Extension(e, core.PartitionKeyExtension); ok {
			return true
		}
	}
	return false
}
