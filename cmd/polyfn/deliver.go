package main

import (
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/providers/aws"
	"github.com/polyfn/polyfn/providers/azure"
	"github.com/polyfn/polyfn/providers/gcp"
)

// invokeProject is the Google Cloud project of the resources polyfn invoke
// simulates.
const invokeProject = "polyfn-invoke"

// A delivery is one invocation as a provider's adapter presents it to a
// function: the events, and whether the platform delivers them as one
// batch.
type delivery struct {
	// events holds one event per record, decoded by the provider.
	events []core.Event
	// batch is true when the platform delivers the records in one
	// invocation, which succeeds only as the provider reports per record.
	batch bool
}

// localDeliveries returns the deliveries of trigger t for recs as the
// local adapter receives them from a broker for function f: the native
// payloads of AWS, Azure and Google decoded by their provider, so that a
// function invoked locally with --trigger sqs or pubsub sees the event it
// sees in that cloud; CloudEvents as a broker sends them for the portable
// triggers. The error names what the provider refused.
func localDeliveries(t sample.Trigger, f *core.Function, recs []sample.Record) ([]delivery, error) {
	switch t.Provider {
	case "aws":
		return decodeAWS(t, recs)
	case "azure":
		return decodeAzure(t, f, recs)
	case "gcp":
		evs, err := sample.Google(invokeProject, t.Name, f.Name, recs)
		if err != nil {
			return nil, err
		}
		out := make([]delivery, len(evs))
		for i, e := range evs {
			if err := gcp.Normalize(&e); err != nil {
				return nil, err
			}
			out[i] = delivery{events: []core.Event{e}}
		}
		return out, nil
	}
	evs := sample.Local(t, recs)
	if t.Batch && len(evs) > 1 {
		return []delivery{{events: evs, batch: true}}, nil
	}
	out := make([]delivery, len(evs))
	for i, e := range evs {
		out[i] = delivery{events: []core.Event{e}}
	}
	return out, nil
}

func decodeAWS(t sample.Trigger, recs []sample.Record) ([]delivery, error) {
	payloads, err := sample.AWS(t.Name, recs)
	if err != nil {
		return nil, err
	}
	out := make([]delivery, 0, len(payloads))
	for _, p := range payloads {
		src, err := aws.Sniff(p)
		if err != nil {
			return nil, err
		}
		b, err := aws.Decode(src, p)
		if err != nil {
			return nil, err
		}
		out = append(out, delivery{events: b.Events, batch: b.ReportsItemFailures()})
	}
	return out, nil
}

func decodeAzure(t sample.Trigger, f *core.Function, recs []sample.Record) ([]delivery, error) {
	var src azure.Source
	if len(f.Triggers) > 0 {
		var err error
		if src, err = azure.SourceOf(f); err != nil {
			return nil, err
		}
	}
	binding := src.Trigger.Name
	if binding == "" {
		binding = sample.DefaultBinding(t.Name)
	}
	reqs, err := sample.Azure(t.Name, binding, recs)
	if err != nil {
		return nil, err
	}
	out := make([]delivery, 0, len(reqs))
	for _, hr := range reqs {
		body, err := sample.HostJSON(hr, f.Name)
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
		out = append(out, delivery{events: inv.Events, batch: inv.Batch})
	}
	return out, nil
}
