package aws

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
)

// TypeDynamoDBPrefix starts the type of an event synthesized from a
// DynamoDB Streams record; the eventName follows (INSERT, MODIFY, REMOVE).
const TypeDynamoDBPrefix = "com.amazonaws.dynamodb."

// ddbRecord decodes a record with the "dynamodb" member kept raw: it is the
// event's data, byte for byte.
type ddbRecord struct {
	events.DynamoDBEventRecord
	Change json.RawMessage `json:"dynamodb"`
}

// ddbChange holds what the mapping needs from the "dynamodb" member, with
// attribute values kept raw (events.DynamoDBAttributeValue rejects some).
type ddbChange struct {
	ApproximateCreationDateTime events.SecondsEpochTime    `json:"ApproximateCreationDateTime"`
	Keys                        map[string]json.RawMessage `json:"Keys"`
	SequenceNumber              string                     `json:"SequenceNumber"`
}

// decodeDynamoDB reads a DynamoDB Streams event: one CloudEvent per record,
// type com.amazonaws.dynamodb.<eventName>, subject the item's primary key
// values ("pk=USER#1,sk=PROFILE"), data the "dynamodb" member (Keys,
// NewImage, OldImage, ...).
func decodeDynamoDB(payload []byte) (*Batch, error) {
	var ev struct {
		Records []ddbRecord     `json:"Records"`
		Window  json.RawMessage `json:"window"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("DynamoDB Streams event: %s", jsonErr(err))
	}
	if len(ev.Records) == 0 && ev.Window == nil {
		return nil, malformed("DynamoDB Streams event: no Records")
	}
	b := &Batch{Source: SourceDynamoDB, Events: make([]core.Event, len(ev.Records)), recs: make([]record, len(ev.Records))}
	natives := make([]ddbNative, len(ev.Records))
	var bld builder
	bld.reserve(len(ev.Records))
	for i := range ev.Records {
		r := &ev.Records[i]
		if r.EventSource != "" && r.EventSource != "aws:dynamodb" {
			return nil, unsupported("DynamoDB Streams event: record %d has eventSource %q, not aws:dynamodb", i, r.EventSource)
		}
		var ch ddbChange
		if len(r.Change) == 0 {
			return nil, malformed("DynamoDB Streams event: record %d has no dynamodb member", i)
		}
		if err := json.Unmarshal(r.Change, &ch); err != nil {
			return nil, malformed("DynamoDB Streams event: record %d: dynamodb: %s", i, jsonErr(err))
		}
		if ch.SequenceNumber == "" {
			return nil, malformed("DynamoDB Streams event: record %d has no dynamodb.SequenceNumber", i)
		}
		native := &natives[i]
		native.rec, native.change = r.DynamoDBEventRecord, r.Change
		key := keyString(ch.Keys)
		e, err := bld.newEvent(r.EventID, r.EventSourceArn, TypeDynamoDBPrefix+r.EventName)
		if err != nil {
			return nil, malformed("DynamoDB Streams event: record %d: %v", i, err)
		}
		switch r.EventName {
		case "INSERT":
			e.setKind(core.KindDBDocumentCreated)
		case "MODIFY":
			e.setKind(core.KindDBDocumentUpdated)
		case "REMOVE":
			e.setKind(core.KindDBDocumentDeleted)
		}
		e.setSubject(key)
		e.setTime(ch.ApproximateCreationDateTime.Time)
		e.setExt(ExtSequence, padSequence(ch.SequenceNumber, dynamoDBSequenceWidth))
		e.setExt(core.PartitionKeyExtension, key)
		if j := strings.Index(r.EventSourceArn, "/stream/"); j > 0 {
			e.setExt(ExtDynamoDBTable, r.EventSourceArn[:j])
		}
		if r.EventName == "REMOVE" && isTTLDeletion(r.UserIdentity) {
			e.ec.Extensions[ExtDynamoDBTTL] = true
		}
		e.setData([]byte(r.Change), "application/json")
		b.Events[i] = e.event()
		b.recs[i] = record{native: native, key: key, item: ch.SequenceNumber}
	}
	if ev.Window != nil {
		if err := b.withWindow(payload, &bld); err != nil {
			return nil, prefixErr("DynamoDB Streams event: ", err)
		}
	}
	return b, nil
}

// isTTLDeletion reports whether a record's userIdentity is DynamoDB's
// Time to Live process: {"type":"Service","principalId":"dynamodb.amazonaws.com"}.
func isTTLDeletion(u *events.DynamoDBUserIdentity) bool {
	return u != nil && u.Type == "Service" && u.PrincipalID == "dynamodb.amazonaws.com"
}

// ddbNative is what DynamoDBRecordFromContext reads: the record, whose
// Change is decoded on first use (attribute values it cannot read are
// left out of it, not fatal).
type ddbNative struct {
	once   sync.Once
	rec    events.DynamoDBEventRecord
	change json.RawMessage
}

func (n *ddbNative) record() *events.DynamoDBEventRecord {
	n.once.Do(func() { _ = json.Unmarshal(n.change, &n.rec.Change) })
	return &n.rec
}

// keyString renders primary key attributes as name=value pairs sorted by
// name: strings and numbers as they are, binary as base64, anything else as
// its JSON.
func keyString(keys map[string]json.RawMessage) string {
	if len(keys) == 0 {
		return ""
	}
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	sort.Strings(names)
	var sb strings.Builder
	for i, n := range names {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(n)
		sb.WriteByte('=')
		sb.WriteString(attrString(keys[n]))
	}
	return sb.String()
}

func attrString(raw json.RawMessage) string {
	var av struct {
		S *string `json:"S"`
		N *string `json:"N"`
		B []byte  `json:"B"`
	}
	if json.Unmarshal(raw, &av) == nil {
		switch {
		case av.S != nil:
			return *av.S
		case av.N != nil:
			return *av.N
		case av.B != nil:
			return base64.StdEncoding.EncodeToString(av.B)
		}
	}
	return string(raw)
}
