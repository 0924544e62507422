package aws

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
)

// The detail-type and source of an EventBridge scheduled rule's event.
const (
	ScheduledEventDetailType = "Scheduled Event"
	ScheduledEventSource     = "aws.events"
)

// decodeEventBridge reads an EventBridge (CloudWatch Events) event. The
// CloudEvent keeps the native type (detail-type) and source verbatim;
// subject is the only resource, data is detail. A scheduled rule's event
// gets polyfnkind schedule.fired, any other bus.event. A detail that is a
// structured CloudEvent passes through. An S3 event (source aws.s3,
// "Object Created", "Object Deleted", ...) maps as the S3 notification it
// matches would (see s3EventBridgeName).
func decodeEventBridge(payload []byte) (*Batch, error) {
	ev := new(events.EventBridgeEvent)
	if err := json.Unmarshal(payload, ev); err != nil {
		return nil, malformed("EventBridge event: %s", jsonErr(err))
	}
	if ev.DetailType == "" {
		return nil, malformed("EventBridge event: no detail-type")
	}
	b := &Batch{Source: SourceEventBridge, recs: []record{{native: ev, item: ev.ID}}}
	b.scheduled = ev.DetailType == ScheduledEventDetailType && ev.Source == ScheduledEventSource
	if inner, ok := structured(string(ev.Detail)); ok {
		b.Events = []core.Event{inner}
		return b, nil
	}
	var bld builder
	if o, ok := s3EventBridgeObject(ev); ok {
		// S3 through EventBridge: the same event as a direct notification.
		e, _, err := o.draft(&bld)
		if err != nil {
			return nil, malformed("EventBridge event: S3 %s: %v", ev.DetailType, err)
		}
		b.Events, b.trigger = []core.Event{e.event()}, core.TriggerStorage
		return b, nil
	}
	e, err := bld.newEvent(ev.ID, ev.Source, ev.DetailType)
	if err != nil {
		return nil, malformed("EventBridge event: %v", err)
	}
	if b.scheduled {
		e.setKind(core.KindScheduleFired)
	} else {
		e.setKind(core.KindBusEvent)
	}
	if len(ev.Resources) == 1 {
		e.setSubject(ev.Resources[0])
	}
	e.setTime(ev.Time)
	e.setExt(ExtRegion, ev.Region)
	e.setExt(ExtAccount, ev.AccountID)
	if len(ev.Detail) > 0 && string(ev.Detail) != "null" {
		e.setData([]byte(ev.Detail), "application/json")
	}
	b.Events = []core.Event{e.event()}
	return b, nil
}
