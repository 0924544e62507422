package azure

import (
	"encoding/json"
	"time"

	"github.com/polyfn/polyfn/core"
)

// serviceBus decodes Service Bus messages of a queue or a topic
// subscription, one or (cardinality many) several.
func (d *decoder) serviceBus(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerQueue
	kind := core.KindQueueMessage
	entity := d.b.Prop("queueName")
	if t := d.b.Prop("topicName"); t != "" || d.src.Kind == core.TriggerTopic {
		d.inv.Trigger, kind = core.TriggerTopic, core.KindTopicMessage
		entity = t + "/subscriptions/" + d.b.Prop("subscriptionName")
		if t != "" {
			entity = "topics/" + entity
		}
	}
	ns := scalarString(member(d.req.Metadata["Client"], "FullyQualifiedNamespace"))
	src := ""
	if ns != "" {
		src = "//" + ns
		if entity != "" {
			src += "/" + entity
		}
	}
	src = d.source(src)
	return d.messages(raw, "message", func(body []byte, meta metaAt) (core.Event, error) {
		return d.sbEvent(body, meta, src, kind)
	})
}

// sbEvent builds the event of one message: id MessageId, subject Subject
// (or Label), time EnqueuedTimeUtc, partitionkey PartitionKey (or
// SessionId), and the sequence number, correlation id, delivery count and
// expiry as extensions.
func (d *decoder) sbEvent(body []byte, meta metaAt, src string, kind core.EventKind) (core.Event, error) {
	ct := metaString(meta("ContentType"))
	props := objectMembers(meta("ApplicationProperties"))
	if props == nil {
		props = objectMembers(meta("UserProperties"))
	}
	if e, ok, err := embedded(body, ct, props, kind); ok || err != nil {
		return e, err
	}
	id := metaString(meta("MessageId"))
	if id == "" {
		id = d.fallbackID()
	}
	e, c, err := newEvent(id, src, TypeServiceBusMessage, kind)
	if err != nil {
		return e, err
	}
	subject := metaString(meta("Subject"))
	if subject == "" {
		subject = metaString(meta("Label"))
	}
	c.setSubject(subject)
	if t, err := metaTime(meta("EnqueuedTimeUtc")); err == nil {
		c.setTime(t)
	}
	pk := metaString(meta("PartitionKey"))
	if pk == "" {
		pk = metaString(meta("SessionId"))
	}
	c.setString(core.PartitionKeyExtension, pk)
	c.setString("sequence", padSequence(metaString(meta("SequenceNumber"))))
	c.setString("correlationid", metaString(meta("CorrelationId")))
	if n, ok := metaInt(meta("DeliveryCount")); ok {
		c.v1.Extensions["deliverycount"] = int32(n)
	}
	if t, err := metaTime(meta("ExpiresAtUtc")); err == nil && !t.IsZero() {
		c.v1.Extensions["expirytime"] = t.Format(time.RFC3339)
	}
	return e, c.setBody(&e, body, ct, d.binary())
}
