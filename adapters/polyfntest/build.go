package polyfntest

import (
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
)

// A Delivery is what the kit's provider hands an event function for some
// records of one trigger: one or more invocations, as the platform makes
// them (an SQS or Kinesis batch is one; Azure Queue Storage and Pub/Sub
// messages come one per invocation). Kit.Run runs it.
type Delivery struct {
	// Function is the function it is for.
	Function string
	// Trigger is the portable kind of trigger it was built for. The
	// invocations report the provider's own: Google delivers queues and
	// streams through Pub/Sub, so a function sees topic.message events
	// there.
	Trigger core.TriggerKind

	provider    Provider
	invocations []invocation
}

// Events returns the events the function sees, one per record, in order:
// the provider's own decoding of the platform's payload, with its portable
// kind (core.EventKindOf) and ordering key (core.PartitionKeyExtension).
func (d Delivery) Events() []core.Event {
	var evs []core.Event
	for _, inv := range d.invocations {
		evs = append(evs, inv.events...)
	}
	return evs
}

// Invocations returns how many invocations the platform makes of it.
func (d Delivery) Invocations() int { return len(d.invocations) }

// Queue returns what the provider hands function fn for messages recs on
// the queue it declares (core.OnQueue): SQS, Queue Storage, Pub/Sub, or
// CloudEvents from a broker.
func (k *Kit) Queue(fn string, recs ...Record) Delivery {
	k.t.Helper()
	return k.deliver(fn, core.TriggerQueue, recs)
}

// Topic returns what the provider hands function fn for messages recs
// published on the topic it subscribes to (core.OnTopic): SNS, Service
// Bus, Pub/Sub.
func (k *Kit) Topic(fn string, recs ...Record) Delivery {
	k.t.Helper()
	return k.deliver(fn, core.TriggerTopic, recs)
}

// Schedule returns what the provider hands function fn when its schedule
// (core.OnSchedule) fires: an EventBridge scheduled event, an Azure timer,
// the Pub/Sub message of its Cloud Scheduler job, as polyfn's manifests
// deploy them. Functions see a core.KindScheduleFired event everywhere.
func (k *Kit) Schedule(fn string) Delivery {
	k.t.Helper()
	return k.deliver(fn, core.TriggerSchedule, nil)
}

// Stream returns what the provider hands function fn for records recs of
// the stream it declares (core.OnStream): one Kinesis or Event Hubs batch,
// run in order per Record.Key, the rest of a key skipped after a failure.
func (k *Kit) Stream(fn string, recs ...Record) Delivery {
	k.t.Helper()
	return k.deliver(fn, core.TriggerStream, recs)
}

// StorageObject returns what the provider hands function fn when an object
// is created in the bucket it watches (core.OnStorage): an S3 notification,
// an Azure blob, a Cloud Storage object, named "payload". The clouds'
// events describe the object (its size, content type, ETag), and do not
// carry obj.Data: on Azure the function reads the content from the
// invocation request (azure.RequestFromContext). The local adapter gets
// the CloudEvent a broker sends, with obj.Data as its data.
func (k *Kit) StorageObject(fn string, obj Record) Delivery {
	k.t.Helper()
	return k.deliver(fn, core.TriggerStorage, []Record{obj})
}

// deliver builds the platform's payloads for recs from the provider's
// trigger of kind, and decodes them as the adapter does.
func (k *Kit) deliver(name string, kind core.TriggerKind, recs []Record) Delivery {
	k.t.Helper()
	fn := k.function(name, core.EventFunction)
	t, err := sample.Native(string(k.provider), kind)
	if err != nil {
		k.fail("function "+name, err)
	}
	n, err := nativeOf(k.provider, fn.Def(), t, recs)
	if err != nil {
		k.fail("function "+name, err)
	}
	invs, err := decode(k.provider, fn.Def(), n)
	if err != nil {
		k.fail("function "+name, err)
	}
	return Delivery{Function: fn.Name(), Trigger: kind, provider: k.provider, invocations: invs}
}
