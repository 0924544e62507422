package gcp

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

func init() { driver.RegisterPayload(TypePubSubMessagePublished, pubsubPayload) }

// pubsubPayload returns the message inside a messagePublished event, so
// that core.Decode and core.Typed read a Pub/Sub message's data as they
// read an SQS message's body: base64-decoded, with the media type of its
// "content-type" attribute, or else application/json for JSON bytes,
// text/plain for other UTF-8 text and application/octet-stream for the rest.
//
// The message Normalize decoded for this event is taken from payloads, so
// the envelope is walked and its data base64-decoded once per event. An
// event Normalize did not see (one built by hand, or a copy whose context
// was cloned) is read here the same way, as encoding/json would read the
// envelope into {message: {data []byte, attributes map[string]string}}.
func pubsubPayload(e core.Event) ([]byte, string, error) {
	if m, ok := payloads.take(e); ok {
		return m.data, m.mediaType(), nil
	}
	env, ok := scanEnvelope(e.Data())
	m, decoded := env.decode()
	if !ok || !decoded {
		return nil, "", core.Permanent(fmt.Errorf("%s event %s: data is not a Pub/Sub message envelope", e.Type(), e.ID()))
	}
	return m.data, m.mediaType(), nil
}

// nameIs reports whether name, a member name as jsonscan.Object gives it
// (escapes kept), is want in any case, as encoding/json matches names.
func nameIs(name []byte, want string) bool {
	if bytes.IndexByte(name, '\\') < 0 {
		return bytes.EqualFold(name, []byte(want))
	}
	u, err := jsonscan.Unquote(append(append([]byte{'"'}, name...), '"'))
	return err == nil && bytes.EqualFold(u, []byte(want))
}

// payloads holds the messages Normalize decoded, until the event's payload
// is read. An entry is found by the identity of its event: the context
// Normalize saw and the data slice it read. The entry refers to both, so
// neither can be freed and its address given to another event while the
// entry lives. Reading the payload removes the entry; so does the arrival
// of newer entries once maxPayloads entries or maxPayloadBytes bytes are
// held, so events whose payload is never read cost a bounded amount of
// memory. A message larger than maxPayloadBytes is not kept: its payload
// reader decodes it again.
var payloads = payloadCache{slots: make([]payloadEntry, maxPayloads), index: make(map[*event.EventContextV1]int, maxPayloads)}

const (
	maxPayloads     = 256
	maxPayloadBytes = 4 << 20
)

type payloadEntry struct {
	ctx  *event.EventContextV1
	env  []byte // the envelope the message was read from
	msg  message
	size int
}

type payloadCache struct {
	mu    sync.Mutex
	slots []payloadEntry // a ring: next is the oldest slot
	next  int
	bytes int
	index map[*event.EventContextV1]int // slot by context
}

// put keeps m, read from e's data, for e's payload reader.
func (c *payloadCache) put(e core.Event, m message) {
	ctx, ok := e.Context.(*event.EventContextV1)
	env := e.Data()
	size := len(env) + len(m.data)
	if !ok || len(env) == 0 || size > maxPayloadBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, had := c.index[ctx]; had {
		c.drop(i)
	}
	// The slot at next is the oldest; after it come the next oldest.
	if c.slots[c.next].ctx != nil {
		c.drop(c.next)
	}
	for j := (c.next + 1) % len(c.slots); c.bytes+size > maxPayloadBytes && j != c.next; j = (j + 1) % len(c.slots) {
		if c.slots[j].ctx != nil {
			c.drop(j)
		}
	}
	c.slots[c.next] = payloadEntry{ctx: ctx, env: env, msg: m, size: size}
	c.index[ctx] = c.next
	c.bytes += size
	c.next = (c.next + 1) % len(c.slots)
}

// take returns and forgets the message kept for e, if e is the event it
// was kept for: the same context, the same data.
func (c *payloadCache) take(e core.Event) (message, bool) {
	ctx, ok := e.Context.(*event.EventContextV1)
	env := e.Data()
	if !ok || len(env) == 0 {
		return message{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	i, had := c.index[ctx]
	if !had {
		return message{}, false
	}
	s := &c.slots[i]
	if len(s.env) != len(env) || &s.env[0] != &env[0] {
		return message{}, false // the event's data was replaced since
	}
	m := s.msg
	c.drop(i)
	return m, true
}

// drop empties slot i.
func (c *payloadCache) drop(i int) {
	s := &c.slots[i]
	delete(c.index, s.ctx)
	c.bytes -= s.size
	*s = payloadEntry{}
}
