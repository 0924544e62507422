package azure

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// Response is the body of a custom handler's answer in envelope mode. The
// host matches names case-insensitively and binds ReturnValue to the
// $return output binding, if the function declares one.
type Response struct {
	// Outputs are output binding values by binding name.
	Outputs map[string]json.RawMessage
	// Logs are logged by the host at Information level, one entry each. The
	// host drops them when the answer is not 2xx.
	Logs []string
	// ReturnValue is the $return binding's value; nil is written as null.
	ReturnValue json.RawMessage
}

// AppendJSON appends r as JSON to dst: {"Outputs":{...},"Logs":[...],
// "ReturnValue":...}. Outputs are written in sorted order.
func (r *Response) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"Outputs":{`...)
	if len(r.Outputs) > 0 {
		keys := make([]string, 0, len(r.Outputs))
		for k := range r.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = cejson.AppendString(dst, k)
			dst = append(dst, ':')
			dst = appendRaw(dst, r.Outputs[k])
		}
	}
	dst = append(dst, `},"Logs":[`...)
	for i, l := range r.Logs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = cejson.AppendString(dst, l)
	}
	dst = append(dst, `],"ReturnValue":`...)
	dst = appendRaw(dst, r.ReturnValue)
	return append(dst, '}')
}

func appendRaw(dst []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, raw...)
}

// ParseResponse reads a handler's answer body as the host does: member
// names case-insensitive, unknown members ignored. It fails when body is
// not a JSON object.
func ParseResponse(body []byte) (*Response, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, invalid("response is null, not an object")
	}
	r := &Response{}
	for k, v := range m {
		switch strings.ToLower(k) {
		case "outputs":
			if err := json.Unmarshal(v, &r.Outputs); err != nil {
				return nil, invalid("Outputs: %v", err)
			}
		case "logs":
			if err := json.Unmarshal(v, &r.Logs); err != nil {
				return nil, invalid("Logs: %v", err)
			}
		case "returnvalue":
			if string(bytes.TrimSpace(v)) != "null" {
				r.ReturnValue = v
			}
		}
	}
	return r, nil
}

// HTTPOutput returns the value of an http output binding ("res"):
// {"statusCode":N,"headers":{...},"body":"..."}. Header values are strings,
// as the host requires: several values of one header are joined with ","
// into one field, which HTTP takes to mean the same list (so several
// Set-Cookie headers cannot be carried; use forwarding). The
// body is written as a string, so a body that is not UTF-8 has its invalid
// bytes replaced by U+FFFD.
func HTTPOutput(status int, h http.Header, body []byte) json.RawMessage {
	dst := make([]byte, 0, 64+len(body))
	dst = append(dst, `{"statusCode":`...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, `,"headers":{`...)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = cejson.AppendString(dst, k)
		dst = append(dst, ':')
		dst = cejson.AppendString(dst, strings.Join(h[k], ","))
	}
	dst = append(dst, `},"body":`...)
	dst = cejson.AppendString(dst, string(body))
	return append(dst, '}')
}

// ReplyValue returns the reply events as the ReturnValue: one event as a
// structured CloudEvent JSON object, several as an array of them (the host
// writes one message per element to a queue or Service Bus output), none as
// nil. Objects, never bare strings, keep clear of the host's base64 trap.
func ReplyValue(replies []*core.Event) (json.RawMessage, error) {
	return appendReplies(nil, len(replies), func(i int) *core.Event { return replies[i] })
}

// appendReplies appends the ReturnValue of the n replies reply(i) returns
// (nil for none) to dst, as ReplyValue describes; nothing when all are nil.
// Its error is a *ReplyError naming the reply at fault.
func appendReplies(dst []byte, n int, reply func(i int) *core.Event) ([]byte, error) {
	count := 0
	for i := 0; i < n; i++ {
		if reply(i) != nil {
			count++
		}
	}
	if count == 0 {
		return dst, nil
	}
	if count > 1 {
		dst = append(dst, '[')
	}
	first := true
	for i := 0; i < n; i++ {
		r := reply(i)
		if r == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if err := cejson.Validate(*r); err != nil {
			return nil, &ReplyError{Index: i, Err: err}
		}
		var err error
		if dst, err = cejson.Append(dst, *r); err != nil {
			return nil, &ReplyError{Index: i, Err: err}
		}
	}
	if count > 1 {
		dst = append(dst, ']')
	}
	return dst, nil
}

// ReplyError is the error of a reply event that cannot be encoded, the
// function's own bug.
type ReplyError struct {
	// Index is the record whose reply is at fault.
	Index int
	// Err says what is wrong with it.
	Err error
}

func (e *ReplyError) Error() string {
	return "the function returned an invalid reply event: " + e.Err.Error()
}

// Unwrap returns what is wrong with the reply.
func (e *ReplyError) Unwrap() error { return e.Err }
