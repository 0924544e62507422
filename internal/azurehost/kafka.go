package azurehost

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// KafkaHeader is one header of a Kafka record.
type KafkaHeader struct {
	Key   string
	Value []byte
}

// KafkaRecord is a Kafka record as the Functions Kafka extension reads it.
type KafkaRecord struct {
	Topic     string
	Partition int32
	Offset    int64
	// Key is the record's key; nil for a record without one.
	Key       *string
	Timestamp time.Time
	Headers   []KafkaHeader
	Value     []byte
}

// envelope is the record as the extension serializes its event data for
// dataType string (Newtonsoft: byte arrays as base64, the timestamp in
// round-trip form with its zone).
func (r KafkaRecord) envelope() map[string]any {
	return map[string]any{"Offset": r.Offset, "Partition": r.Partition, "Topic": r.Topic,
		"Timestamp": r.Timestamp.UTC().Format("2006-01-02T15:04:05.999Z07:00"), "Value": string(r.Value), "Key": r.Key, "Headers": r.headers()}
}

func (r KafkaRecord) headers() []map[string]string {
	hs := make([]map[string]string, len(r.Headers))
	for i, h := range r.Headers {
		hs[i] = map[string]string{"Key": h.Key, "Value": base64.StdEncoding.EncodeToString(h.Value)}
	}
	return hs
}

// KafkaBatch builds a kafkaTrigger invocation with cardinality many: under
// binding, JSON text of an array whose items are, for dataType "string"
// (or ""), each record's serialized event data as a string, and for
// "binary" each value in base64; Metadata holds the index-aligned
// PartitionArray, OffsetArray, TimestampArray, TopicArray, KeyArray and
// HeadersArray, as JSON text.
func KafkaBatch(binding string, rs []KafkaRecord, dataType string) Request {
	items := make([]string, len(rs))
	parts, offs, topics := make([]int32, len(rs)), make([]int64, len(rs)), make([]string, len(rs))
	stamps, keys, headers := make([]string, len(rs)), make([]*string, len(rs)), make([][]map[string]string, len(rs))
	for i, r := range rs {
		if dataType == "binary" {
			items[i] = base64.StdEncoding.EncodeToString(r.Value)
		} else {
			b, _ := json.Marshal(r.envelope())
			items[i] = string(b)
		}
		parts[i], offs[i], topics[i], keys[i], headers[i] = r.Partition, r.Offset, r.Topic, r.Key, r.headers()
		stamps[i] = r.Timestamp.UTC().Format("2006-01-02T15:04:05.999Z07:00")
	}
	return NewRequest().Set(binding, items).
		Meta("PartitionArray", parts).Meta("OffsetArray", offs).Meta("TimestampArray", stamps).
		Meta("TopicArray", topics).Meta("KeyArray", keys).Meta("HeadersArray", headers)
}
