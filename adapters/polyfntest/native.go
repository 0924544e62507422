package polyfntest

import (
	"context"
	"fmt"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/providers/aws"
	"github.com/polyfn/polyfn/providers/azure"
	"github.com/polyfn/polyfn/providers/gcp"
)

// native is what a platform sends a function for one delivery, before its
// provider decodes it: Lambda event payloads, Azure Functions host
// invocation requests, or CloudEvents as posted (Eventarc's for Google,
// a broker's for local).
type native struct {
	aws    [][]byte
	azure  [][]byte
	events []core.Event
}

// nativeOf returns what provider p's platform sends function f for recs
// from trigger t (internal/sample builds the payloads).
func nativeOf(p Provider, f *core.Function, t sample.Trigger, recs []Record) (native, error) {
	srecs := make([]sample.Record, len(recs))
	for i, r := range recs {
		srecs[i] = sample.Record(r)
	}
	var n native
	var err error
	switch p {
	case AWS:
		n.aws, err = sample.AWS(t.Name, srecs)
	case Azure:
		n.azure, err = azureRequests(f, t, srecs)
	case GCP:
		n.events, err = sample.Google("polyfn-test", t.Name, f.Name, srecs)
	default:
		n.events = sample.Local(t, srecs)
	}
	return n, err
}

// azureRequests returns the host's invocation requests for f, as JSON,
// with the Metadata.sys member the host adds to every request.
func azureRequests(f *core.Function, t sample.Trigger, recs []sample.Record) ([][]byte, error) {
	src, err := azure.SourceOf(f)
	if err != nil {
		return nil, err
	}
	binding := src.Trigger.Name
	if binding == "" {
		binding = sample.DefaultBinding(t.Name)
	}
	reqs, err := sample.Azure(t.Name, binding, recs)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(reqs))
	for i, r := range reqs {
		if out[i], err = sample.HostJSON(r, f.Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// azureDecode decodes body, the host's request, as the adapter does for a
// function of source src.
func azureDecode(body []byte, src azure.Source) (*azure.Request, *azure.Invocation, error) {
	req, err := azure.ParseRequest(body)
	if err != nil {
		return nil, nil, err
	}
	inv, err := azure.Decode(req, src)
	return req, inv, err
}

// An invocation is one invocation as an adapter makes it: the events its
// provider decoded, whether the platform delivers them as one batch (which
// succeeds only as the provider reports per record), the trigger it
// reports, and the batch options (ordering, the native record in each
// record's context).
type invocation struct {
	events  []core.Event
	batch   bool
	trigger core.TriggerKind
	opts    driver.BatchOptions
}

// decode returns the invocations provider p's adapter makes of n for
// function f: the events its provider decodes, whether they are a batch,
// the trigger it reports and its batch options (ordering, and the native
// record in each record's context).
func decode(p Provider, f *core.Function, n native) ([]invocation, error) {
	var out []invocation
	switch p {
	case AWS:
		sources, err := aws.SourceOf(f)
		if err != nil {
			return nil, err
		}
		for _, payload := range n.aws {
			src, err := aws.Detect(sources, payload)
			if err != nil {
				return nil, err
			}
			b, err := aws.Decode(src, payload)
			if err != nil {
				return nil, err
			}
			out = append(out, invocation{events: b.Events, batch: b.ReportsItemFailures(), trigger: b.Trigger(), opts: b.Options(f.BatchConcurrency)})
		}
	case Azure:
		src, err := azure.SourceOf(f)
		if err != nil {
			return nil, err
		}
		for _, body := range n.azure {
			req, inv, err := azureDecode(body, src)
			if err != nil {
				return nil, err
			}
			opts := inv.Options()
			opts.Context = func(ctx context.Context, _ int) context.Context { return azure.NewContext(ctx, req) }
			out = append(out, invocation{events: inv.Events, batch: inv.Batch, trigger: inv.Trigger, opts: opts})
		}
	case GCP:
		for _, e := range n.events {
			e = e.Clone()
			if err := gcp.Normalize(&e); err != nil {
				return nil, err
			}
			out = append(out, invocation{events: []core.Event{e}, trigger: invoke.TriggerOf(core.EventKindOf(e))})
		}
	default:
		return localDeliveries(f, n.events), nil
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the platform sends function %q nothing", f.Name)
	}
	return out, nil
}

// localDeliveries returns how the local adapter runs evs: a batch source's
// records in one CloudEvents batch, in order per partition key when they
// carry one; any other source's one request each.
func localDeliveries(f *core.Function, evs []core.Event) []invocation {
	trigger := core.TriggerDirect
	if len(evs) > 0 {
		trigger = invoke.TriggerOf(core.EventKindOf(evs[0]))
	}
	if len(evs) > 1 && (trigger == core.TriggerQueue || trigger == core.TriggerStream) {
		keyed := false
		for _, e := range evs {
			if _, ok := core.Extension(e, core.PartitionKeyExtension); ok {
				keyed = true
			}
		}
		return []invocation{{events: evs, batch: true, trigger: trigger, opts: driver.BatchOptions{StopOnFailure: keyed, Concurrency: f.BatchConcurrency}}}
	}
	out := make([]invocation, len(evs))
	for i, e := range evs {
		out[i] = invocation{events: []core.Event{e}, trigger: trigger}
	}
	return out
}
