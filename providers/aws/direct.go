package aws

import (
	"bytes"
	"fmt"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

// isCloudEventPayload reports whether payload is a JSON array or an object
// with a top-level specversion member. It does not check the rest of the
// payload: decoding it does.
func isCloudEventPayload(payload []byte) bool {
	i := jsonscan.SkipSpace(payload, 0)
	if i >= len(payload) {
		return false
	}
	if payload[i] == '[' {
		return true
	}
	if payload[i] != '{' || !bytes.Contains(payload[i:], []byte(`"specversion"`)) {
		return false
	}
	found := false
	jsonscan.Object(payload, i, func(name, _ []byte) bool {
		found = string(name) == "specversion"
		return !found
	})
	return found
}

// decodeCloudEvents reads a direct invocation: one structured CloudEvent, or
// a JSON array of them (the batched format).
func decodeCloudEvents(payload []byte) (*Batch, error) {
	p := payload[jsonscan.SkipSpace(payload, 0):]
	b := &Batch{Source: SourceCloudEvent}
	if len(p) > 0 && p[0] == '[' {
		evs, err := cejson.UnmarshalBatch(p)
		if err != nil {
			return nil, malformed("direct invocation with a CloudEvent batch: %v", err)
		}
		b.Events = evs
	} else {
		e, err := cejson.Unmarshal(p)
		if err != nil {
			return nil, malformed("direct invocation with a CloudEvent: %v", err)
		}
		b.Events = []core.Event{e}
	}
	b.recs = make([]record, len(b.Events))
	for i := range b.Events {
		b.recs[i].key, _ = core.ExtensionString(b.Events[i], core.PartitionKeyExtension)
		b.recs[i].item = b.Events[i].ID()
	}
	return b, nil
}

// replyError is the error for a reply event that is not valid.
type replyError struct{ err error }

func (e *replyError) Error() string     { return "reply event: " + e.err.Error() }
func (e *replyError) Unwrap() error     { return e.err }
func (e *replyError) ErrorType() string { return ErrorTypeInvalidReply }

// AppendReply appends reply in the structured JSON format to dst, or null
// when reply is nil. An invalid reply is an error whose ErrorType is
// ErrorTypeInvalidReply.
func AppendReply(dst []byte, reply *core.Event) ([]byte, error) {
	if reply == nil {
		return append(dst, "null"...), nil
	}
	if err := cejson.Validate(*reply); err != nil {
		return nil, &replyError{err}
	}
	out, err := cejson.Append(dst, *reply)
	if err != nil {
		return nil, &replyError{fmt.Errorf("encode: %w", err)}
	}
	return out, nil
}
