package aws

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
)

// TypeKinesisRecord is the type of an event synthesized from a Kinesis record.
const TypeKinesisRecord = "com.amazonaws.kinesis.stream_record"

// decodeKinesis reads a Kinesis event: one CloudEvent per record, data =
// the base64-decoded record data (a structured CloudEvent passes through).
func decodeKinesis(payload []byte) (*Batch, error) {
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("Kinesis event: %s", jsonErr(err))
	}
	if len(ev.Records) == 0 {
		return nil, malformed("Kinesis event: no Records")
	}
	b := &Batch{Source: SourceKinesis, Events: make([]core.Event, len(ev.Records)), recs: make([]record, len(ev.Records))}
	var bld builder
	for i := range ev.Records {
		r := &ev.Records[i]
		if r.EventSource != "" && r.EventSource != "aws:kinesis" {
			return nil, unsupported("Kinesis event: record %d has eventSource %q, not aws:kinesis", i, r.EventSource)
		}
		k := &r.Kinesis
		if k.SequenceNumber == "" {
			return nil, malformed("Kinesis event: record %d has no kinesis.sequenceNumber", i)
		}
		e, ok := structured(string(k.Data))
		if !ok {
			var err error
			id := r.EventID
			if id == "" {
				id = k.SequenceNumber
			}
			e, err = bld.newEvent(id, r.EventSourceArn, TypeKinesisRecord)
			if err != nil {
				return nil, malformed("Kinesis event: record %d: %v", i, err)
			}
			setKind(&e, core.KindStreamRecord)
			setSubject(&e, k.PartitionKey)
			setTime(&e, k.ApproximateArrivalTimestamp.Time)
			setExt(&e, core.PartitionKeyExtension, k.PartitionKey)
			setExt(&e, ExtSequence, padSequence(k.SequenceNumber, kinesisSequenceWidth))
			data := k.Data
			if data == nil {
				data = []byte{}
			}
			setData(&e, data, "")
		}
		b.Events[i] = e
		b.recs[i] = record{native: r, key: k.PartitionKey, item: k.SequenceNumber}
	}
	return b, nil
}
