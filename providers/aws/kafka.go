package aws

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

// TypeKafkaRecord is the type of an event synthesized from a Kafka record
// (Amazon MSK or self-managed Apache Kafka).
const TypeKafkaRecord = "com.amazonaws.kafka.record"

// Extensions of Kafka events.
const (
	// ExtKafkaPartition is the record's partition, as an integer.
	ExtKafkaPartition = "kafkapartition"
	// ExtKafkaOffset is the record's offset, as a string (offsets exceed
	// the CloudEvents integer range).
	ExtKafkaOffset = "kafkaoffset"
)

// decodeKafka reads an Amazon MSK or self-managed Kafka event: one
// CloudEvent per record, in the payload's order of topic-partitions and
// offsets. type com.amazonaws.kafka.record, source the MSK cluster ARN
// (self-managed: kafka://<first bootstrap server>), subject the topic, id
// <topic>-<partition>@<offset>, time the record's timestamp, partitionkey
// the record key (base64 when it is not UTF-8), sequence the offset
// zero-padded to 20, data the base64-decoded value. A record whose headers
// carry ce_specversion is a CloudEvent in the Kafka binding's binary mode
// and passes through. Records of one topic-partition run in order.
func decodeKafka(payload []byte) (*Batch, error) {
	var ev struct {
		EventSource      string          `json:"eventSource"`
		EventSourceARN   string          `json:"eventSourceArn"`
		BootstrapServers string          `json:"bootstrapServers"`
		Records          json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("Kafka event: %s", jsonErr(err))
	}
	if ev.EventSource != "aws:kafka" && ev.EventSource != "SelfManagedKafka" {
		return nil, unsupported("Kafka event: eventSource %q is not aws:kafka or SelfManagedKafka", ev.EventSource)
	}
	source := ev.EventSourceARN
	if source == "" {
		first, _, _ := strings.Cut(ev.BootstrapServers, ",")
		if first == "" {
			return nil, malformed("Kafka event: neither eventSourceArn nor bootstrapServers")
		}
		source = "kafka://" + strings.TrimSpace(first)
	}
	b := newBatch(SourceKafka, 0)
	var bld builder
	var err error
	if jsonscan.Object(ev.Records, 0, func(name, value []byte) bool {
		tp := string(name)
		var recs []events.KafkaRecord
		if e := json.Unmarshal(value, &recs); e != nil {
			err = malformed("Kafka event: records[%q]: %s", tp, jsonErr(e))
			return false
		}
		bld.reserve(len(recs))
		for i := range recs {
			if e := kafkaEvent(b, &bld, source, tp, &recs[i]); e != nil {
				err = prefixErr("Kafka event: records["+strconv.Quote(tp)+"]["+strconv.Itoa(i)+"]: ", e)
				return false
			}
		}
		return true
	}) < 0 && err == nil {
		return nil, malformed("Kafka event: records is not an object of topic-partitions")
	}
	if err != nil {
		return nil, err
	}
	if b.Len() == 0 {
		return nil, malformed("Kafka event: no records")
	}
	return b, nil
}

// kafkaEvent appends the event of record r of topic-partition tp.
func kafkaEvent(b *Batch, bld *builder, source, tp string, r *events.KafkaRecord) error {
	if r.Topic == "" {
		return malformed("no topic")
	}
	value, err := base64.StdEncoding.DecodeString(r.Value)
	if err != nil {
		return malformed("value is not base64: %v", err)
	}
	rec := record{native: r, key: tp, item: tp}
	if e, ok, err := attrEvent(kafkaHeaders(r.Headers), value); ok {
		if err != nil {
			return malformed("headers claim a CloudEvent: %v", err)
		}
		b.add(e, rec)
		return nil
	}
	offset := strconv.FormatInt(r.Offset, 10)
	e, err := bld.newEvent(r.Topic+"-"+strconv.FormatInt(r.Partition, 10)+"@"+offset, source, TypeKafkaRecord)
	if err != nil {
		return err
	}
	e.setKind(core.KindStreamRecord)
	e.setSubject(r.Topic)
	e.setTime(r.Timestamp.Time)
	if r.Key != "" {
		key, err := base64.StdEncoding.DecodeString(r.Key)
		if err != nil {
			return malformed("key is not base64: %v", err)
		}
		if utf8.Valid(key) {
			e.setExt(core.PartitionKeyExtension, string(key))
		} else {
			e.setExt(core.PartitionKeyExtension, r.Key)
		}
	}
	e.ec.Extensions[ExtKafkaPartition] = int32(r.Partition)
	e.setExt(ExtKafkaOffset, offset)
	e.setExt(ExtSequence, padSequence(offset, kafkaSequenceWidth))
	e.setData(value, "")
	b.add(e.event(), rec)
	return nil
}

// kafkaHeaders yields the record headers whose value is UTF-8, for
// attrEvent.
func kafkaHeaders(hs []map[string]events.JSONNumberBytes) func(func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for _, h := range hs {
			for name, v := range h {
				if !utf8.Valid(v) {
					continue
				}
				if !yield(name, string(v)) {
					return
				}
			}
		}
	}
}
