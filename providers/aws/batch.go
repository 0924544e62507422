package aws

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
)

// A Batch is a decoded event payload: one CloudEvent per record, with what
// is needed to run them in order and report their results. Decode returns
// it; it is not safe for concurrent mutation, but its methods may be
// called concurrently once it is built.
type Batch struct {
	// Source is the payload's source.
	Source Source
	// Events holds one event per record, in payload order.
	Events []core.Event

	recs []record
	// scheduled is true for an EventBridge scheduled event.
	scheduled bool
	// fifo is true for an SQS batch from a FIFO queue.
	fifo bool
	// trigger, when set, overrides the source's trigger kind: storage for
	// S3 notifications delivered through SQS or EventBridge.
	trigger core.TriggerKind
	// win is the tumbling window of a windowed Kinesis or DynamoDB Streams
	// invocation.
	win *window
}

// record is what a Batch keeps per event. One native record may give
// several events (a KPL aggregate, S3 notifications in SQS): they share
// its key and item.
type record struct {
	native any    // *sqsRecord, *events.KinesisEventRecord, ... for WithRecord
	inner  any    // what the native record carried, when it has an accessor too
	key    string // ordering key
	item   string // batchItemFailures itemIdentifier
}

// newBatch returns an empty batch of src with room for n events.
func newBatch(src Source, n int) *Batch {
	return &Batch{Source: src, Events: make([]core.Event, 0, n), recs: make([]record, 0, n)}
}

// add appends an event and what the batch keeps of it. It is not inlined
// (see draft.setExt).
//
//go:noinline
func (b *Batch) add(e core.Event, r record) {
	b.Events = append(b.Events, e)
	b.recs = append(b.recs, r)
}

// prefixErr puts prefix before err's text, keeping what it wraps.
func prefixErr(prefix string, err error) error {
	return fmt.Errorf("%s%w", prefix, err)
}

// Decode translates an event payload of source src into a Batch. src must
// not be an HTTP source (see DecodeHTTP) nor SourceUnknown. Decode returns
// an error wrapping ErrMalformedPayload that names the problem when the
// payload is not valid JSON or lacks what its source requires (a record
// without a message id, an undecodable Kinesis data field, ...), and one
// wrapping ErrUnsupportedPayload when its records come from another source.
// Whatever src says, a payload that is a structured CloudEvent (or an array
// of them) decodes as SourceCloudEvent, so every event function accepts
// direct invocations with a CloudEvent; with src SourceS3, S3 notifications
// delivered through SQS or EventBridge decode as those sources, with
// Batch.Trigger core.TriggerStorage; with src SourceKinesis, Kafka events
// and CloudWatch Logs subscriptions decode as theirs. A Kinesis or DynamoDB
// Streams tumbling-window invocation may have no records; its final one
// ends with a window-end event (see TypeWindowEnd and TumblingWindow).
//
// The events may share memory with payload only through strings; the
// payload may be reused once Decode returns.
func Decode(src Source, payload []byte) (*Batch, error) {
	var b *Batch
	var err error
	switch src {
	case SourceSQS:
		b, err = decodeSQS(payload)
	case SourceSNS:
		b, err = decodeSNS(payload)
	case SourceEventBridge:
		b, err = decodeEventBridge(payload)
	case SourceKinesis:
		b, err = decodeKinesis(payload)
		if err != nil {
			// A stream trigger also takes Kafka and CloudWatch Logs.
			if alt, e := Sniff(payload); e == nil && (alt == SourceKafka || alt == SourceCloudWatchLogs) {
				return Decode(alt, payload)
			}
		}
	case SourceDynamoDB:
		b, err = decodeDynamoDB(payload)
	case SourceKafka:
		b, err = decodeKafka(payload)
	case SourceCloudWatchLogs:
		b, err = decodeLogs(payload)
	case SourceS3:
		b, err = decodeS3(payload)
		if err != nil {
			if b2, ok := decodeS3Delivered(payload); ok {
				return b2, nil
			}
		}
	case SourceCloudEvent:
		return decodeCloudEvents(payload)
	default:
		return nil, unsupported("%s payloads are not events: decode them with DecodeHTTP", src)
	}
	if err != nil {
		// A structured CloudEvent has none of the keys a source needs: try it
		// before reporting the mismatch.
		if isCloudEventPayload(payload) {
			return decodeCloudEvents(payload)
		}
		return nil, err
	}
	return b, nil
}

// decodeS3Delivered decodes S3 events delivered through SQS or EventBridge
// for a function that declares only a storage trigger.
func decodeS3Delivered(payload []byte) (*Batch, bool) {
	src, err := Sniff(payload)
	if err != nil || src != SourceSQS && src != SourceEventBridge {
		return nil, false
	}
	b, err := Decode(src, payload)
	if err != nil || b.trigger != core.TriggerStorage {
		return nil, false
	}
	return b, true
}

// Len returns the number of records.
func (b *Batch) Len() int { return len(b.Events) }

// Scheduled reports whether the batch is an EventBridge scheduled event.
func (b *Batch) Scheduled() bool { return b.scheduled }

// Trigger returns the kind of trigger that delivered the batch:
// core.TriggerDirect for a direct invocation with CloudEvents,
// core.TriggerSchedule for an EventBridge scheduled event, else the kind of
// its source (see Source.TriggerKind).
func (b *Batch) Trigger() core.TriggerKind {
	switch {
	case b.scheduled:
		return core.TriggerSchedule
	case b.trigger != "":
		return b.trigger
	}
	return b.Source.TriggerKind()
}

// WithRecord returns ctx carrying the native record i and what it carried,
// for the accessors (SQSMessageFromContext, ...). It returns ctx unchanged
// when i is out of range or there is none (a direct CloudEvent).
func (b *Batch) WithRecord(ctx context.Context, i int) context.Context {
	if i < 0 || i >= len(b.recs) {
		return ctx
	}
	ctx = withNative(ctx, b.recs[i].native)
	if b.win != nil {
		ctx = context.WithValue(ctx, windowKey, &b.win.views[i])
	}
	return withNative(ctx, b.recs[i].inner)
}

// withNative returns ctx carrying v under the key of its accessor.
func withNative(ctx context.Context, v any) context.Context {
	var key *contextKey
	switch v.(type) {
	case nil:
		return ctx
	case *sqsRecord:
		key = sqsKey
	case *events.SNSEventRecord:
		key = snsKey
	case *events.KinesisEventRecord:
		key = kinesisKey
	case *ddbNative:
		key = dynamodbKey
	case *events.S3EventRecord:
		key = s3Key
	case *events.EventBridgeEvent:
		key = eventBridgeKey
	case *events.KafkaRecord:
		key = kafkaKey
	case *events.CloudwatchLogsData:
		key = logsKey
	default:
		return ctx
	}
	return context.WithValue(ctx, key, v)
}

// Ordered reports whether the source needs records run in order and
// stopped at the first failure: an SQS FIFO queue, Kinesis or DynamoDB
// Streams.
func (b *Batch) Ordered() bool {
	switch b.Source {
	case SourceKinesis, SourceDynamoDB, SourceKafka, SourceCloudWatchLogs:
		return true
	}
	return b.fifo
}

// Options returns the driver.RunBatch options for b. concurrency is the
// function's BatchConcurrency (0 or 1: one record at a time).
//
//   - SQS standard: records are independent; up to concurrency run at once.
//   - SQS FIFO: records of one message group run in order; after a failure
//     the later records of that group are not run (driver.ErrSkipped), while
//     other groups go on.
//   - Kinesis, DynamoDB Streams: one record at a time by default, stopping
//     at the first failure, since Lambda retries from the first failed
//     sequence number. With concurrency > 1, records of one partition key
//     (Kinesis) or item (DynamoDB) run in order and different keys run at
//     once.
//   - a tumbling window: one record at a time whatever concurrency says,
//     the window-end event last.
//   - Kafka, CloudWatch Logs: the same, keyed by topic-partition or log
//     stream; a failure fails the invocation (see Response), and Lambda
//     retries the batch.
//   - anything else: records run one after another.
func (b *Batch) Options(concurrency int) driver.BatchOptions {
	o := driver.BatchOptions{Concurrency: concurrency, Key: b.Key, Context: b.WithRecord}
	switch {
	case b.fifo:
		o.StopOnFailure = true
	case b.Ordered():
		o.StopOnFailure = true
		if concurrency <= 1 || b.win != nil {
			o.Key = func(int) string { return "" }
		}
	}
	return o
}

// Key returns the ordering key of record i: the message group of a FIFO
// message, the partition key of a Kinesis record, the item key of a
// DynamoDB record, the message id of a standard SQS message.
func (b *Batch) Key(i int) string {
	if i >= 0 && i < len(b.recs) {
		return b.recs[i].key
	}
	return ""
}

// ReportsItemFailures reports whether Lambda takes per-record results for
// b's source (SQS, Kinesis, DynamoDB Streams: batchItemFailures).
func (b *Batch) ReportsItemFailures() bool {
	return b.Source == SourceSQS || b.Source == SourceKinesis || b.Source == SourceDynamoDB
}

// Failures returns the batchItemFailures item identifiers for res, the
// result of running b.Events: for SQS, the message id of every failed or
// skipped record; for Kinesis and DynamoDB Streams, the sequence number of
// the first failed record (Lambda retries from there, so reporting one is
// enough and keeps per-shard order). It returns nil when every record
// succeeded.
func (b *Batch) Failures(res driver.BatchResult) []string {
	var ids []string
	for i, r := range res.Records {
		if r.Err == nil || i >= len(b.recs) {
			continue
		}
		ids = append(ids, b.recs[i].item)
		if b.Source != SourceSQS {
			break
		}
	}
	return ids
}

// Response returns the invocation result for res, the result of running
// b.Events. For SQS, Kinesis and DynamoDB Streams it is the
// batchItemFailures object (see Failures) and err is nil; a tumbling
// window's adds its state ({"state":...,"batchItemFailures":[...]}), and
// its failed window-end event is err. For the other
// sources, Kafka included, a failed record makes err non-nil (a single record's own error,
// or the joined errors of several); otherwise the result is the reply as a
// structured CloudEvent (one record), a JSON array of the replies (several
// records), or null when there is none.
func (b *Batch) Response(res driver.BatchResult) ([]byte, error) {
	if b.win != nil {
		return b.windowResponse(res)
	}
	if b.ReportsItemFailures() {
		return AppendBatchItemFailures(nil, b.Failures(res)), nil
	}
	if failed := res.Failed(); len(failed) > 0 {
		if len(res.Records) == 1 {
			return nil, res.Records[0].Err
		}
		errs := make([]error, 0, len(failed))
		for _, i := range failed {
			errs = append(errs, fmt.Errorf("record %d (id %s): %w", i, b.Events[i].ID(), res.Records[i].Err))
		}
		return nil, fmt.Errorf("%d of %d records failed: %w", len(failed), len(res.Records), errors.Join(errs...))
	}
	if len(res.Records) == 1 {
		return AppendReply(nil, res.Records[0].Reply)
	}
	var replies []*core.Event
	for _, r := range res.Records {
		if r.Reply != nil {
			replies = append(replies, r.Reply)
		}
	}
	if replies == nil {
		return []byte("null"), nil
	}
	out := []byte{'['}
	for i, r := range replies {
		if i > 0 {
			out = append(out, ',')
		}
		var err error
		if out, err = AppendReply(out, r); err != nil {
			return nil, err
		}
	}
	return append(out, ']'), nil
}

// AppendBatchItemFailures appends the batch response
// {"batchItemFailures":[{"itemIdentifier":"..."},...]} to dst.
func AppendBatchItemFailures(dst []byte, ids []string) []byte {
	return appendItemFailures(append(dst, '{'), ids)
}

// appendItemFailures appends "batchItemFailures":[...]} to dst.
func appendItemFailures(dst []byte, ids []string) []byte {
	dst = append(dst, `"batchItemFailures":[`...)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"itemIdentifier":`...)
		dst = cejson.AppendString(dst, id)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}
