package azure

import (
	"encoding/json"

	"github.com/polyfn/polyfn/core"
)

// eventHub decodes Event Hubs events, one or (cardinality many) a batch of
// one partition.
func (d *decoder) eventHub(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerStream
	pc := objectMembers(d.req.Metadata["PartitionContext"])
	ns, hub, partition := scalarString(pc["FullyQualifiedNamespace"]), scalarString(pc["EventHubName"]), scalarString(pc["PartitionId"])
	if hub == "" {
		hub = d.b.Prop("eventHubName")
	}
	src := ""
	if ns != "" {
		src = "//" + ns + "/" + hub
	}
	src = d.source(src)
	return d.messages(raw, "event", func(body []byte, meta metaAt) (core.Event, error) {
		return d.ehEvent(body, meta, src, partition)
	})
}

// ehEvent builds the event of one Event Hubs event: id its message-id, else
// {partition}-{sequence}; time EnqueuedTimeUtc; partitionkey, sequence and
// partition as extensions.
func (d *decoder) ehEvent(body []byte, meta metaAt, src, partition string) (core.Event, error) {
	sys := objectMembers(meta("SystemProperties"))
	ct := scalarString(sys["content-type"])
	if e, ok, err := embedded(body, ct, objectMembers(meta("Properties")), core.KindStreamRecord); ok || err != nil {
		return e, err
	}
	seq := scalarString(meta("SequenceNumber"))
	if seq == "" {
		seq = scalarString(sys["SequenceNumber"])
	}
	id := scalarString(sys["message-id"])
	if id == "" && seq != "" {
		id = partition + "-" + seq
	}
	if id == "" {
		id = d.fallbackID()
	}
	e, c, err := newEvent(id, src, TypeEventHubMessage, core.KindStreamRecord)
	if err != nil {
		return e, err
	}
	if t, err := metaTime(meta("EnqueuedTimeUtc")); err == nil {
		c.setTime(t)
	}
	pk := scalarString(meta("PartitionKey"))
	if pk == "" {
		pk = scalarString(sys["PartitionKey"])
	}
	c.setString(core.PartitionKeyExtension, pk)
	c.setString("sequence", padSequence(seq))
	c.setString("partition", partition)
	return e, c.setBody(&e, body, ct, d.binary())
}
