package aws

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

// TypeKinesisRecord is the type of an event synthesized from a Kinesis record.
const TypeKinesisRecord = "com.amazonaws.kinesis.stream_record"

// kinesisDecoder reads a Kinesis event in one walk. The records' data are
// decoded into one buffer.
type kinesisDecoder struct {
	scanner
	buf []byte
}

// decodeKinesis reads a Kinesis event: one CloudEvent per record, data =
// the base64-decoded record data (a structured CloudEvent passes through;
// CloudWatch Logs subscription data gives one event per log event, and a
// KPL aggregate one event per user record, id <eventID>:<index>, sequence
// <sequence>:<index>).
// The payload is validated once; the records, their events and their data
// each take one allocation for the whole batch.
func decodeKinesis(payload []byte) (*Batch, error) {
	var recs []byte
	var windowed bool
	if jsonscan.Object(payload, 0, func(name, value []byte) bool {
		switch string(name) {
		case "Records":
			recs = value
		case "window":
			windowed = true
		}
		return true
	}) < 0 || !jsonscan.Valid(payload) {
		return nil, malformed("Kinesis event: payload is not a valid JSON object")
	}
	n := bytes.Count(recs, []byte(`"sequenceNumber"`))
	if n == 0 && !windowed {
		return nil, malformed("Kinesis event: no Records")
	}
	d := kinesisDecoder{scanner: newScanner(payload), buf: make([]byte, 0, len(recs)*3/4)}
	b := newBatch(SourceKinesis, n)
	natives := make([]events.KinesisEventRecord, 0, n)
	var bld builder
	bld.reserve(n)
	i := 0
	var ferr error
	if jsonscan.Array(recs, 0, func(v []byte) bool {
		natives = append(natives, events.KinesisEventRecord{})
		r := &natives[len(natives)-1]
		if ferr = d.read(v, r); ferr == nil {
			ferr = kinesisEvent(b, &bld, r)
		}
		if ferr != nil {
			ferr = prefixErr("Kinesis event: record "+strconv.Itoa(i)+": ", ferr)
		}
		i++
		return ferr == nil
	}) < 0 && ferr == nil {
		return nil, malformed("Kinesis event: Records is not an array")
	}
	if ferr != nil {
		return nil, ferr
	}
	if windowed {
		if err := b.withWindow(payload, &bld); err != nil {
			return nil, prefixErr("Kinesis event: ", err)
		}
	}
	return b, nil
}

// read fills r from the raw record v.
func (d *kinesisDecoder) read(v []byte, r *events.KinesisEventRecord) error {
	var err error
	set := func(dst *string, value []byte) {
		if err == nil {
			*dst, err = d.text(value)
		}
	}
	var k []byte
	if jsonscan.Object(v, 0, func(name, value []byte) bool {
		switch string(name) {
		case "kinesis":
			k = value
		case "eventSource":
			set(&r.EventSource, value)
		case "eventID":
			set(&r.EventID, value)
		case "eventSourceARN":
			set(&r.EventSourceArn, value)
		case "awsRegion":
			set(&r.AwsRegion, value)
		case "eventName":
			set(&r.EventName, value)
		case "eventVersion":
			set(&r.EventVersion, value)
		case "invokeIdentityArn":
			set(&r.InvokeIdentityArn, value)
		}
		return err == nil
	}) < 0 {
		return malformed("not a JSON object")
	}
	if err != nil {
		return malformed("%v", err)
	}
	if r.EventSource != "" && r.EventSource != "aws:kinesis" {
		return unsupported("eventSource %q is not aws:kinesis", r.EventSource)
	}
	kr := &r.Kinesis
	var data, ts []byte
	if jsonscan.Object(k, 0, func(name, value []byte) bool {
		switch string(name) {
		case "data":
			data = value
		case "partitionKey":
			set(&kr.PartitionKey, value)
		case "sequenceNumber":
			set(&kr.SequenceNumber, value)
		case "approximateArrivalTimestamp":
			ts = value
		case "kinesisSchemaVersion":
			set(&kr.KinesisSchemaVersion, value)
		case "encryptionType":
			set(&kr.EncryptionType, value)
		}
		return err == nil
	}) < 0 {
		return malformed("no kinesis object")
	}
	switch {
	case err != nil:
		return malformed("kinesis: %v", err)
	case kr.SequenceNumber == "":
		return malformed("no kinesis.sequenceNumber")
	}
	if len(ts) > 0 && string(ts) != "null" {
		t, ok := epochSeconds(d.sub(ts))
		if !ok {
			return malformed("kinesis.approximateArrivalTimestamp %s is not a number of seconds", ts)
		}
		kr.ApproximateArrivalTimestamp.Time = t
	}
	if kr.Data, err = d.decodeData(data); err != nil {
		return malformed("kinesis.data: %v", err)
	}
	return nil
}

// decodeData base64-decodes a record's data into the shared buffer and
// returns it, capped so that appending to it cannot reach the next record.
func (d *kinesisDecoder) decodeData(v []byte) ([]byte, error) {
	if len(v) == 0 || string(v) == "null" {
		return []byte{}, nil
	}
	p, ok := jsonscan.Plain(v)
	if !ok {
		u, err := jsonscan.Unquote(v)
		if err != nil {
			return nil, err
		}
		p = u
	}
	start := len(d.buf)
	var err error
	d.buf, err = base64.StdEncoding.AppendDecode(d.buf, p)
	if err != nil {
		d.buf = d.buf[:start]
		return nil, err
	}
	return d.buf[start:len(d.buf):len(d.buf)], nil
}

// kinesisEvent appends the event of record r to b.
func kinesisEvent(b *Batch, bld *builder, r *events.KinesisEventRecord) error {
	k := &r.Kinesis
	rec := record{native: r, key: k.PartitionKey, item: k.SequenceNumber}
	if urs, ok, err := deaggregate(k.Data); ok {
		// A KPL aggregate: one event per user record, each with its own
		// partition key, reported failed by the record's sequence number.
		if err != nil {
			return malformed("kinesis.data: %v", err)
		}
		seq := padSequence(k.SequenceNumber, kinesisSequenceWidth)
		for j, ur := range urs {
			sub := strconv.Itoa(j)
			e, err := bld.newEvent(kinesisID(r)+":"+sub, r.EventSourceArn, TypeKinesisRecord)
			if err != nil {
				return err
			}
			streamRecord(e, ur.partitionKey, seq+":"+padSequence(sub, kplSubsequenceWidth), k.ApproximateArrivalTimestamp.Time, ur.data)
			b.add(e.event(), record{native: r, key: ur.partitionKey, item: k.SequenceNumber})
		}
		return nil
	}
	if lg, err := logsInKinesis(k.Data); err == nil {
		// A CloudWatch Logs subscription to a Kinesis stream: one event
		// per log event, reported failed by the record's sequence number.
		return logEvents(b, bld, lg, rec)
	}
	if e, ok := structuredBytes(k.Data); ok {
		b.add(e, rec)
		return nil
	}
	e, err := bld.newEvent(kinesisID(r), r.EventSourceArn, TypeKinesisRecord)
	if err != nil {
		return err
	}
	streamRecord(e, k.PartitionKey, padSequence(k.SequenceNumber, kinesisSequenceWidth), k.ApproximateArrivalTimestamp.Time, k.Data)
	b.add(e.event(), rec)
	return nil
}

// kinesisID returns the event id of a Kinesis record: its eventID, or its
// sequence number.
func kinesisID(r *events.KinesisEventRecord) string {
	if r.EventID != "" {
		return r.EventID
	}
	return r.Kinesis.SequenceNumber
}

// streamRecord sets what every Kinesis record's event carries.
func streamRecord(e *draft, partitionKey, seq string, t time.Time, data []byte) {
	e.setKind(core.KindStreamRecord)
	e.setSubject(partitionKey)
	e.setTime(t)
	e.setExt(core.PartitionKeyExtension, partitionKey)
	e.setExt(ExtSequence, seq)
	e.setData(data, "")
}

// epochSeconds reads a JSON number of seconds since the epoch exactly to
// the nanosecond when it is written as a decimal (1607497475.123), and
// through float64 otherwise.
func epochSeconds(s string) (time.Time, bool) {
	i := 0
	var sec, nsec int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if sec > (1<<62)/10 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(s[i]-'0')
	}
	if i > 0 && i < len(s) && s[i] == '.' {
		scale := int64(1e8)
		j := i + 1
		for ; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
			nsec += int64(s[j]-'0') * scale
			scale /= 10
		}
		if j == len(s) && j > i+1 {
			return time.Unix(sec, nsec), true
		}
	} else if i > 0 && i == len(s) {
		return time.Unix(sec, 0), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1<<62 {
		return time.Time{}, false
	}
	whole := int64(f)
	return time.Unix(whole, int64((f-float64(whole))*1e9)), true
}
