package azure

import (
	"encoding/json"
	"time"

	"github.com/polyfn/polyfn/core"
)

// queue decodes a Queue Storage message: id Id, time InsertionTime, the
// dequeue count and expiry as extensions, data the message text.
func (d *decoder) queue(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerQueue
	body, err := d.payload(raw)
	if err != nil {
		return err
	}
	if e, ok, err := embedded(body, "", nil, core.KindQueueMessage); ok || err != nil {
		d.inv.Events = append(d.inv.Events, e)
		return err
	}
	id := d.req.MetaString("Id")
	if id == "" {
		id = d.fallbackID()
	}
	tail := ""
	if q := d.b.Prop("queueName"); q != "" {
		tail = "/queueServices/default/queues/" + q
	}
	e, c, err := newEvent(id, d.source(tail), TypeQueueMessage, core.KindQueueMessage)
	if err != nil {
		return err
	}
	if t, ok := d.req.MetaTime("InsertionTime"); ok {
		c.setTime(t)
	}
	if n, ok := d.req.MetaInt("DequeueCount"); ok {
		c.v1.Extensions["deliverycount"] = int32(n)
	}
	if t, ok := d.req.MetaTime("ExpirationTime"); ok {
		c.v1.Extensions["expirytime"] = t.Format(time.RFC3339)
	}
	if err := c.setBody(&e, body, "", d.binary()); err != nil {
		return err
	}
	d.inv.Events = append(d.inv.Events, e)
	return nil
}
