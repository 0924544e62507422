package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/rfc3339"
)

// TypeWindowEnd is the type of the event polyfn appends, after the
// records, to the final invocation of a Kinesis or DynamoDB Streams
// tumbling window (isFinalInvokeForWindow), with or without records: the
// function's chance to act on the window's final state. Its id is
// "window:<shardId>:<start>", its source the stream's ARN, its subject the
// shard id, its time the window's end, and its data the window object
// Lambda sent ({"start":...,"end":...}, application/json). It carries no
// polyfnkind, and it has no native record.
const TypeWindowEnd = "polyfn.aws.window.end"

// maxWindowState is the largest state Lambda keeps for a window (1 MB).
const maxWindowState = 1 << 20

// A TumblingWindow is the tumbling window of a Kinesis or DynamoDB Streams
// invocation, as the record being handled sees it (see
// TumblingWindowFromContext).
//
// The records of a windowed invocation run one at a time, in order, and
// stop at the first failure; the window-end event (TypeWindowEnd) runs last.
// The invocation answers {"state":...,"batchItemFailures":[...]} where the
// state is the one the last successful record set (or the state Lambda
// passed, when none set one), so Lambda passes it to the window's next
// invocation.
type TumblingWindow struct {
	// Start and End bound the window.
	Start, End time.Time
	// ShardID and EventSourceARN name the shard and the stream.
	ShardID, EventSourceARN string
	// Final is isFinalInvokeForWindow: the window closes with this
	// invocation, whose answered state Lambda drops.
	Final bool
	// TerminatedEarly is isWindowTerminatedEarly: the window ended before
	// its time (the state reached its size limit); the next invocation
	// continues it with a fresh state.
	TerminatedEarly bool

	w *window
	i int // the record's index in the batch
}

// window is what the records of one windowed invocation share.
type window struct {
	mu     sync.Mutex
	first  []byte   // the state Lambda passed, as a JSON object
	cur    []byte   // the latest state
	states [][]byte // the state each record set, or nil
	views  []TumblingWindow
	end    int // index of the window-end event, or -1
}

// TumblingWindowFromContext returns the tumbling window of the Kinesis or
// DynamoDB Streams invocation whose record (or window-end event) is being
// handled, and whether there is one.
func TumblingWindowFromContext(ctx context.Context) (*TumblingWindow, bool) {
	w, _ := ctx.Value(windowKey).(*TumblingWindow)
	return w, w != nil
}

// State returns the window's current state, a JSON object: the one the
// last record before this one set, else the one Lambda passed ({} when it
// passed none). The caller must not change it.
func (t *TumblingWindow) State() []byte {
	t.w.mu.Lock()
	defer t.w.mu.Unlock()
	return t.w.cur
}

// SetState sets the window's state: a JSON object of at most 1 MB, which
// Lambda passes to the window's next invocation once the record succeeds
// (the state a failed record set is dropped). It returns an error naming
// the problem when state is not such an object.
func (t *TumblingWindow) SetState(state []byte) error {
	i := jsonscan.SkipSpace(state, 0)
	switch {
	case len(state) > maxWindowState:
		return malformed("window state of %d bytes is over Lambda's 1 MB", len(state))
	case i >= len(state) || state[i] != '{' || !jsonscan.Valid(state):
		return malformed("window state is not a JSON object")
	}
	s := append([]byte(nil), state...)
	t.w.mu.Lock()
	defer t.w.mu.Unlock()
	t.w.cur, t.w.states[t.i] = s, s
	return nil
}

// readWindow reads the tumbling-window members of a Kinesis or DynamoDB
// Streams payload that has a window member, for a batch of n records.
func readWindow(payload []byte, n int) (*window, *TumblingWindow, []byte, error) {
	s := newScanner(payload)
	var t TumblingWindow
	var raw, state, shard, arn []byte
	jsonscan.Object(payload, 0, func(name, v []byte) bool {
		switch string(name) {
		case "window":
			raw = v
		case "state":
			state = v
		case "shardId":
			shard = v
		case "eventSourceARN":
			arn = v
		case "isFinalInvokeForWindow":
			t.Final = string(v) == "true"
		case "isWindowTerminatedEarly":
			t.TerminatedEarly = string(v) == "true"
		}
		return true
	})
	var err error
	if len(shard) > 0 {
		t.ShardID, err = s.text(shard)
	}
	if len(arn) > 0 && err == nil {
		t.EventSourceARN, err = s.text(arn)
	}
	if err == nil && (firstByte(raw) != '{' || jsonscan.Object(raw, 0, func(name, v []byte) bool {
		var dst *time.Time
		switch string(name) {
		case "start":
			dst = &t.Start
		case "end":
			dst = &t.End
		default:
			return true
		}
		var ts string
		if ts, err = s.text(v); err == nil {
			*dst, err = rfc3339.Parse(ts)
		}
		return err == nil
	}) < 0) {
		return nil, nil, nil, malformed("window is not an object")
	}
	switch {
	case err != nil:
		return nil, nil, nil, malformed("window: %v", err)
	case t.Start.IsZero() || t.End.IsZero():
		return nil, nil, nil, malformed("window has no start or end")
	case len(state) == 0 || string(state) == "null":
		state = []byte("{}")
	case state[0] != '{':
		return nil, nil, nil, malformed("state is a JSON %s, not an object", jsonKind(state[0]))
	default:
		var buf bytes.Buffer
		if json.Compact(&buf, state) != nil {
			return nil, nil, nil, malformed("state is not valid JSON")
		}
		state = buf.Bytes()
	}
	w := &window{first: state, cur: state, states: make([][]byte, n+1), views: make([]TumblingWindow, n+1), end: -1}
	return w, &t, raw, nil
}

// withWindow reads payload's tumbling window into b, whose records are
// decoded, and appends the window-end event to a final invocation.
func (b *Batch) withWindow(payload []byte, bld *builder) error {
	w, t, raw, err := readWindow(payload, len(b.Events))
	if err != nil {
		return err
	}
	if t.Final {
		id := "window:" + t.ShardID + ":" + t.Start.UTC().Format(time.RFC3339)
		e, err := bld.newEvent(id, t.EventSourceARN, TypeWindowEnd)
		if err != nil {
			return malformed("window end: %v", err)
		}
		e.setSubject(t.ShardID)
		e.setTime(t.End)
		e.setData(append([]byte(nil), raw...), "application/json")
		w.end = len(b.Events)
		b.add(e.event(), record{})
	}
	for i := range w.views[:len(b.Events)] {
		w.views[i] = *t
		w.views[i].w, w.views[i].i = w, i
	}
	b.win = w
	return nil
}

// windowResponse answers a windowed invocation: the state of the last
// successful record and the first failed record. A failed window-end event
// fails the invocation, so that Lambda retries it.
func (b *Batch) windowResponse(res driver.BatchResult) ([]byte, error) {
	w := b.win
	state := w.first
	for i, r := range res.Records {
		if r.Err != nil {
			if i == w.end {
				return nil, r.Err
			}
			break
		}
		if w.states[i] != nil {
			state = w.states[i]
		}
	}
	dst := append([]byte(`{"state":`), state...)
	return appendItemFailures(append(dst, ','), b.Failures(res)), nil
}

// windowSource returns the source of a tumbling-window invocation without
// records from its eventSourceARN.
func windowSource(arn []byte) (Source, error) {
	if a := string(arn); strings.HasPrefix(a, `"arn:`) {
		switch {
		case strings.Contains(a, ":kinesis:"):
			return SourceKinesis, nil
		case strings.Contains(a, ":dynamodb:"):
			return SourceDynamoDB, nil
		}
	}
	return SourceUnknown, unsupported("a tumbling-window invocation without records whose eventSourceARN %s names no Kinesis or DynamoDB stream", quoteRaw(arn))
}
