package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
)

// TypeKafkaRecord is the CloudEvents type of a Kafka record.
const TypeKafkaRecord = "com.microsoft.azure.kafka.record"

// KafkaBrokerListSetting is the app setting the generated Kafka trigger
// reads its broker list from ("%KafkaBrokerList%").
const KafkaBrokerListSetting = "KafkaBrokerList"

// A KafkaRecord is one record a Kafka trigger delivered, as the Functions
// Kafka extension describes it. KafkaRecordFromContext returns it to the
// function handling the record.
type KafkaRecord struct {
	Topic     string
	Partition int32
	Offset    int64
	// Key is the record's key as text; HasKey is false for a record
	// without one.
	Key       string
	HasKey    bool
	Timestamp time.Time
	// Headers are the record's headers, in order; a key may repeat.
	Headers []KafkaHeader
	// Value is the record's value: its UTF-8 text with dataType string
	// (the default), its bytes with dataType binary.
	Value []byte
}

// A KafkaHeader is one header of a Kafka record.
type KafkaHeader struct {
	Key   string
	Value []byte
}

// Header returns the value of the last header named key (Kafka header
// names are case-sensitive), and whether there is one.
func (r *KafkaRecord) Header(key string) ([]byte, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == key {
			return r.Headers[i].Value, true
		}
	}
	return nil, false
}

type kafkaKey struct{}

// KafkaRecordFromContext returns the Kafka record a function runs for, when
// a Kafka trigger invoked it on Azure.
func KafkaRecordFromContext(ctx context.Context) (*KafkaRecord, bool) {
	r, ok := ctx.Value(kafkaKey{}).(*KafkaRecord)
	return r, ok && r != nil
}

// kafkaEnvelope is one record as the Kafka extension serializes its event
// data for dataType string: Value holds the record's text, Headers values
// are base64 (.NET byte arrays).
type kafkaEnvelope struct {
	Offset    *int64          `json:"Offset"`
	Partition *int32          `json:"Partition"`
	Topic     string          `json:"Topic"`
	Timestamp string          `json:"Timestamp"`
	Key       json.RawMessage `json:"Key"`
	Value     json.RawMessage `json:"Value"`
	Headers   []struct {
		Key   string `json:"Key"`
		Value []byte `json:"Value"`
	} `json:"Headers"`
}

// kafka decodes a Kafka trigger invocation: with cardinality many (the
// default polyfn generates) a JSON array, else one record, each the
// extension's serialized event data, or with dataType binary the record's
// value in base64 with the rest in Metadata (Topic, Partition, Offset,
// Key, Timestamp, Headers, or their Array variants). Every Kafka
// invocation is a batch: Azure has no per-record failure, so a failed
// record fails the whole invocation.
func (d *decoder) kafka(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerStream
	d.inv.Batch = true
	items := []json.RawMessage{raw}
	meta := func(int) metaAt { return func(k string) json.RawMessage { return d.req.Metadata[k] } }
	if d.many() {
		var err error
		if items, err = records(raw); err != nil {
			return err
		}
		meta = d.batchMeta()
	}
	d.inv.Events = make([]core.Event, 0, len(items))
	d.inv.kafka = make([]KafkaRecord, len(items))
	for i, it := range items {
		rec := &d.inv.kafka[i]
		if err := d.kafkaRecord(rec, it, meta(i)); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		e, err := d.kafkaEvent(rec)
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		d.inv.Events = append(d.inv.Events, e)
	}
	return nil
}

// kafkaRecord fills rec from one trigger item and the record's metadata.
func (d *decoder) kafkaRecord(rec *KafkaRecord, it json.RawMessage, meta metaAt) error {
	var body []byte
	var err error
	if d.many() {
		body, err = d.item(it)
	} else {
		body, err = d.payload(it)
	}
	if err != nil {
		return err
	}
	env, isEnv := kafkaEnvelopeOf(body, d.binary())
	if isEnv {
		if rec.Value, err = kafkaValue(env.Value); err != nil {
			return err
		}
		rec.Topic = env.Topic
		if env.Partition != nil {
			rec.Partition = *env.Partition
		}
		if env.Offset != nil {
			rec.Offset = *env.Offset
		}
		if rec.Timestamp, err = ParseTime(env.Timestamp); err != nil {
			return invalid("Timestamp: %v", err)
		}
		if s := strings.TrimSpace(string(env.Key)); s != "" && s != "null" {
			rec.Key, rec.HasKey = scalarString(env.Key), true
		}
		for _, h := range env.Headers {
			rec.Headers = append(rec.Headers, KafkaHeader{Key: h.Key, Value: h.Value})
		}
	} else {
		rec.Value = body
	}
	if rec.Topic == "" {
		rec.Topic = scalarString(meta("Topic"))
	}
	if rec.Topic == "" {
		rec.Topic = d.b.Prop("topic")
	}
	if !isEnv || env.Partition == nil {
		if n, ok := metaInt(meta("Partition")); ok {
			rec.Partition = int32(n)
		}
	}
	if !isEnv || env.Offset == nil {
		if n, ok := metaInt(meta("Offset")); ok {
			rec.Offset = n
		}
	}
	if rec.Timestamp.IsZero() {
		if t, err := metaTime(meta("Timestamp")); err == nil {
			rec.Timestamp = t
		}
	}
	if !rec.HasKey {
		if k := meta("Key"); len(k) > 0 && string(k) != "null" {
			rec.Key, rec.HasKey = scalarString(k), true
		}
	}
	if len(rec.Headers) == 0 {
		rec.Headers = metaHeaders(meta("Headers"))
	}
	return nil
}

// kafkaEnvelopeOf reads body as the extension's serialized event data: a
// JSON object with Offset, Partition and Topic members.
func kafkaEnvelopeOf(body []byte, binary bool) (kafkaEnvelope, bool) {
	var env kafkaEnvelope
	b := bytes.TrimSpace(body)
	if binary || len(b) == 0 || b[0] != '{' || member(b, "Topic") == nil || member(b, "Offset") == nil {
		return env, false
	}
	if err := json.Unmarshal(b, &env); err != nil || env.Offset == nil || env.Partition == nil {
		return env, false
	}
	return env, true
}

// kafkaValue returns the record value the envelope holds: a string's
// text, null as nil, any other JSON (an Avro record the extension turned
// into an object) as its JSON text.
func kafkaValue(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '"' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, invalid("Value: %v", err)
	}
	return []byte(s), nil
}

// metaHeaders reads the Headers metadata: an array of {Key, Value} with
// base64 values, as JSON or JSON text; nil when absent or malformed.
func metaHeaders(raw json.RawMessage) []KafkaHeader {
	b, _, err := Value(raw)
	if err != nil || len(b) == 0 {
		return nil
	}
	var hs []struct {
		Key   string `json:"Key"`
		Value []byte `json:"Value"`
	}
	if json.Unmarshal(b, &hs) != nil {
		return nil
	}
	out := make([]KafkaHeader, 0, len(hs))
	for _, h := range hs {
		out = append(out, KafkaHeader{Key: h.Key, Value: h.Value})
	}
	return out
}

// keyed gives a CloudEvent a record carried the record's key as its
// partitionkey, as the CloudEvents Kafka binding maps it, unless the event
// has one.
func keyed(e core.Event, rec *KafkaRecord) core.Event {
	if e.Context != nil && rec.HasKey {
		if _, ok := e.Extensions()[core.PartitionKeyExtension]; !ok {
			e.SetExtension(core.PartitionKeyExtension, rec.Key)
		}
	}
	return e
}

// kafkaEvent builds the event of one record. A record carrying a
// CloudEvent (ce_ headers, the Kafka binding's binary mode, or a
// structured content-type) is that event; any other gets id
// {topic}-{partition}-{offset}, source /kafka/topics/{topic} (or the
// configured resource), time the record's timestamp, and the extensions
// topic, partition, offset, sequence (the offset zero-padded) and
// partitionkey (the key, as the CloudEvents Kafka binding maps it).
func (d *decoder) kafkaEvent(rec *KafkaRecord) (core.Event, error) {
	ct := ""
	var attrs [][2]string
	for _, h := range rec.Headers {
		switch name := strings.ToLower(h.Key); {
		case name == "content-type":
			ct = string(h.Value)
		case strings.HasPrefix(name, "ce_") && len(name) > 3:
			attrs = append(attrs, [2]string{name[3:], string(h.Value)})
		}
	}
	if e, ok, err := binaryEvent(rec.Value, ct, attrs); ok || err != nil {
		if err != nil {
			return e, invalid("record headers (CloudEvents binary mode): %v", err)
		}
		return keyed(withKind(e, core.KindStreamRecord), rec), nil
	}
	if e, ok, err := embedded(rec.Value, ct, nil, core.KindStreamRecord); ok || err != nil {
		return keyed(e, rec), err
	}
	partition, offset := strconv.FormatInt(int64(rec.Partition), 10), strconv.FormatInt(rec.Offset, 10)
	e, c, err := newEvent(rec.Topic+"-"+partition+"-"+offset, d.source("/kafka/topics/"+rec.Topic), TypeKafkaRecord, core.KindStreamRecord)
	if err != nil {
		return e, err
	}
	c.setTime(rec.Timestamp)
	c.setString("topic", rec.Topic)
	c.setString("partition", partition)
	c.setString("offset", offset)
	c.setString("sequence", padSequence(offset))
	if rec.HasKey {
		c.setString(core.PartitionKeyExtension, rec.Key)
	}
	return e, c.setBody(&e, rec.Value, ct, d.binary())
}
