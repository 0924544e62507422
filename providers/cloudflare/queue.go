package cloudflare

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
)

// MaxQueueBatch is the most messages Cloudflare Queues delivers in one
// batch (max_batch_size).
const MaxQueueBatch = 100

// A QueueBatch is a queue handler's MessageBatch as worker.mjs hands it to
// the Go program: the queue's name and its messages, each with its id,
// timestamp (milliseconds since the epoch), delivery attempts and body.
// Format says how Body holds the message body: "json" (a JSON value:
// the body was sent with contentType json or v8), "text" (a JSON string)
// or "bytes" (a JSON string of base64).
type QueueBatch struct {
	Queue    string         `json:"queue"`
	Messages []QueueMessage `json:"messages"`
}

// A QueueMessage is one message of a QueueBatch.
type QueueMessage struct {
	ID        string          `json:"id"`
	Timestamp float64         `json:"timestamp"`
	Attempts  int             `json:"attempts"`
	Format    string          `json:"format"`
	Body      json.RawMessage `json:"body"`
}

// DecodeQueue reads a QueueBatch and returns it with one event per message:
// type TypeQueueMessage, source "cloudflare/queues/" and the queue, id the
// message id, time its timestamp, the "deliverycount" extension its
// attempts, kind core.KindQueueMessage, and the body as data (JSON as
// application/json, text as text/plain, bytes as
// application/octet-stream). A body that is itself a structured CloudEvent
// (a JSON object with specversion) is that event, with the kind added.
// The error names the message at fault.
func DecodeQueue(b []byte) (QueueBatch, []core.Event, error) {
	var qb QueueBatch
	if err := json.Unmarshal(b, &qb); err != nil {
		return qb, nil, errorf("queue batch: %v", err)
	}
	if qb.Queue == "" {
		return qb, nil, errorf("queue batch: no queue name")
	}
	if len(qb.Messages) > MaxQueueBatch {
		return qb, nil, errorf("queue batch of %d messages: Cloudflare Queues delivers at most %d", len(qb.Messages), MaxQueueBatch)
	}
	evs := make([]core.Event, len(qb.Messages))
	for i, m := range qb.Messages {
		e, err := m.event(qb.Queue)
		if err != nil {
			return qb, nil, errorf("queue %s message %d (id %q): %v", qb.Queue, i, m.ID, err)
		}
		evs[i] = e
	}
	return qb, evs, nil
}

func (m QueueMessage) event(queue string) (core.Event, error) {
	if m.ID == "" {
		return core.Event{}, fmt.Errorf("no id")
	}
	var data []byte
	var ct string
	switch m.Format {
	case "json":
		data, ct = bytes.TrimSpace(m.Body), "application/json"
		if len(data) == 0 {
			data = []byte("null")
		}
		if e, ok, err := embedded(data); ok || err != nil {
			return e, err
		}
	case "text":
		var s string
		if err := json.Unmarshal(m.Body, &s); err != nil {
			return core.Event{}, fmt.Errorf("text body is not a JSON string: %v", err)
		}
		data, ct = []byte(s), "text/plain; charset=utf-8"
	case "bytes":
		var s string
		if err := json.Unmarshal(m.Body, &s); err != nil {
			return core.Event{}, fmt.Errorf("bytes body is not a JSON string: %v", err)
		}
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return core.Event{}, fmt.Errorf("bytes body is not base64: %v", err)
		}
		data, ct = d, "application/octet-stream"
	default:
		return core.Event{}, fmt.Errorf("body format %q (want json, text or bytes)", m.Format)
	}
	e := core.NewEvent(m.ID, "cloudflare/queues/"+queue, TypeQueueMessage, ct, data)
	if m.Timestamp > 0 && m.Timestamp < 1e15 {
		e.SetTime(time.UnixMilli(int64(m.Timestamp)).UTC())
	}
	if m.Attempts > 0 {
		e.SetExtension("deliverycount", int32(m.Attempts))
	}
	driver.SetKind(&e, core.KindQueueMessage)
	return e, e.Validate()
}

// embedded returns the CloudEvent a JSON body holds in the structured
// format, with the queue message kind: ok is false when the body is not
// one.
func embedded(data []byte) (core.Event, bool, error) {
	if len(data) == 0 || data[0] != '{' || !bytes.Contains(data, []byte(`"specversion"`)) {
		return core.Event{}, false, nil
	}
	e, err := cejson.Unmarshal(data)
	if err != nil {
		return core.Event{}, true, fmt.Errorf("body is a structured CloudEvent that does not decode: %v", err)
	}
	driver.SetKind(&e, core.KindQueueMessage)
	return e, true, e.Validate()
}

// Queue verdicts, one per message of a batch.
const (
	// Ack removes the message from the queue.
	Ack = "ack"
	// Retry delivers the message again, up to the consumer's max_retries,
	// then to its dead-letter queue.
	Retry = "retry"
)

// QueueVerdict is what the Go program answers worker.mjs for a queue
// batch: Outcomes[i] is Ack or Retry for message i.
type QueueVerdict struct {
	Outcomes []string `json:"outcomes"`
}

// EncodeQueue returns the verdict of a batch of n messages from res, the
// per-record outcomes: every record that succeeded is acked; every record
// that failed, permanently or not, was skipped or did not run before the
// deadline is retried, so that Cloudflare redelivers it and, after the
// consumer's max_retries, moves it to the dead-letter queue. No failed
// record is ever acked. A result that does not cover the n messages (a
// runtime fault) retries them all.
func EncodeQueue(n int, res driver.BatchResult) []byte {
	v := QueueVerdict{Outcomes: make([]string, n)}
	for i := range v.Outcomes {
		v.Outcomes[i] = Retry
		if len(res.Records) == n && res.Records[i].Outcome() == driver.OK {
			v.Outcomes[i] = Ack
		}
	}
	b, _ := json.Marshal(v) // strings only: cannot fail
	return b
}

// Summary returns "acked N, retried M" for a verdict, for log lines.
func (v QueueVerdict) Summary() string {
	var a, r int
	for _, o := range v.Outcomes {
		if o == Ack {
			a++
		} else {
			r++
		}
	}
	return "acked " + strconv.Itoa(a) + ", retried " + strconv.Itoa(r)
}
