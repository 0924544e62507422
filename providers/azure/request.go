package azure

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

// ErrInvalidRequest is wrapped by every error about an invocation request
// that is not what the host sends: not JSON, no Data, no trigger value, a
// value of the wrong shape.
var ErrInvalidRequest = errors.New("invalid invocation request")

// ErrInvalidCloudEvents is wrapped, with ErrInvalidRequest and the codec's
// cause, by the error for an HTTP trigger whose request carries CloudEvents
// that are not valid: the HTTP caller's fault, not the host's, so adapters
// answer the caller 400 (413 for a batch over the cap).
var ErrInvalidCloudEvents = errors.New("invalid CloudEvents in the HTTP request")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}

// Request is the body of an envelope-mode invocation request: the trigger
// and input binding values keyed by binding name, and the trigger metadata.
// Values are kept raw, as the host sent them; decode them with [Value],
// [Request.Text] and friends.
type Request struct {
	Data     map[string]json.RawMessage `json:"Data"`
	Metadata map[string]json.RawMessage `json:"Metadata"`

	// InvocationID is the X-Azure-Functions-InvocationId header of the
	// request; the adapter sets it. It is not part of the body.
	InvocationID string `json:"-"`
	// TriggerName is the Data member of the trigger binding; Decode sets
	// it. A blob function reads the blob's bytes with
	// req.Binary(req.TriggerName).
	TriggerName string `json:"-"`
}

// keys are binding and metadata names the host sends on every invocation
// of some trigger: ParseRequest keeps them without allocating.
var keys = intern.NewSet("sys", "Id", "DequeueCount", "PopReceipt", "InsertionTime", "ExpirationTime", "NextVisibleTime",
	"Query", "Headers", "Params", "req", "msg", "inMsg", "event", "events", "timer", "blob", "documents",
	"MessageId", "DeliveryCount", "LockToken", "ContentType", "CorrelationId", "Subject", "Label", "SequenceNumber",
	"EnqueuedTimeUtc", "EnqueuedTime", "ExpiresAtUtc", "ExpiresAt", "ApplicationProperties", "UserProperties",
	"MessageReceiver", "MessageSession", "MessageActions", "SessionActions", "ReceiveActions", "Client",
	"PartitionContext", "Offset", "PartitionKey", "Properties", "SystemProperties", "SessionId",
	"OffsetArray", "SequenceNumberArray", "EnqueuedTimeUtcArray", "PartitionKeyArray", "PropertiesArray", "SystemPropertiesArray",
	"Uri", "Metadata", "name", "data")

// ParseRequest parses an invocation request body. Top-level names match
// case-insensitively, as the host's own reader does. It fails, wrapping
// ErrInvalidRequest, when body is not JSON (in UTF-8, as RFC 8259
// requires and the host writes it), not an object, or has no Data object. The Request's raw values share body's memory: body must not change
// while they are in use.
func ParseRequest(body []byte) (*Request, error) {
	if !jsonscan.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		return nil, invalid("body is not the host's JSON envelope: %v", err)
	}
	if !utf8.Valid(body) {
		return nil, invalid("body is not the host's JSON envelope: not UTF-8")
	}
	i := jsonscan.SkipSpace(body, 0)
	if body[i] != '{' {
		return nil, invalid("body is not the host's JSON envelope: want an object, got %s", abbrev(body[i:]))
	}
	// body is valid JSON: walk it once, the members of Data and Metadata
	// included, without reflection.
	r := &Request{}
	for i = jsonscan.SkipSpace(body, i+1); body[i] == '"'; {
		end := jsonscan.SkipString(body, i)
		key, err := memberName(body[i+1 : end-1])
		if err != nil {
			return nil, err
		}
		i = jsonscan.SkipSpace(body, jsonscan.SkipSpace(body, end)+1) // past ':'
		var dst *map[string]json.RawMessage
		switch {
		case bytes.EqualFold(key, []byte("Data")):
			dst = &r.Data
		case bytes.EqualFold(key, []byte("Metadata")):
			dst = &r.Metadata
		}
		switch {
		case dst == nil:
			i = jsonscan.SkipValue(body, i)
		case body[i] == 'n':
			*dst = nil
			i += len("null")
		case body[i] == '{':
			if i, err = members(body, i, dst); err != nil {
				return nil, err
			}
		default:
			return nil, invalid("%s must be an object, got %s", key, abbrev(body[i:jsonscan.SkipValue(body, i)]))
		}
		if i = jsonscan.SkipSpace(body, i); body[i] == ',' {
			i = jsonscan.SkipSpace(body, i+1)
		}
	}
	if r.Data == nil {
		return nil, invalid(`missing "Data" object`)
	}
	return r, nil
}

// members adds the members of the valid JSON object at b[i] to *m, which
// it makes if nil (a repeated member merges, as with encoding/json), and
// returns the index just past the object.
func members(b []byte, i int, m *map[string]json.RawMessage) (int, error) {
	if *m == nil {
		*m = make(map[string]json.RawMessage, 8)
	}
	var err error
	end := jsonscan.Object(b, i, func(k, v []byte) bool {
		name, e := memberName(k)
		if e != nil {
			err = e
			return false
		}
		(*m)[keys.Bytes(name)] = v
		return true
	})
	return end, err
}

// memberName decodes the raw name of an object member (between its quotes,
// escapes kept), without allocating when it is plain ASCII.
func memberName(raw []byte) ([]byte, error) {
	for _, c := range raw {
		if c == '\\' || c >= 0x80 {
			q := make([]byte, 0, len(raw)+2)
			q = append(append(append(q, '"'), raw...), '"')
			name, err := jsonscan.Unquote(q)
			if err != nil {
				return nil, invalid("member name: %v", err)
			}
			return name, nil
		}
	}
	return raw, nil
}

// Sys is the "sys" member of the request metadata.
type Sys struct {
	MethodName string
	UtcNow     time.Time
	RandGuid   string
}

// Sys returns the request's sys metadata; missing members are zero.
func (r *Request) Sys() Sys {
	var s Sys
	raw, ok := r.Metadata["sys"]
	if !ok {
		return s
	}
	jsonscan.Object(raw, 0, func(name, val []byte) bool {
		switch {
		case bytes.EqualFold(name, []byte("MethodName")):
			s.MethodName = scalarString(val)
		case bytes.EqualFold(name, []byte("UtcNow")):
			s.UtcNow, _ = ParseTime(scalarString(val))
		case bytes.EqualFold(name, []byte("RandGuid")):
			s.RandGuid = scalarString(val)
		}
		return true
	})
	return s
}

// Value decodes a binding value the host encoded with its
// GetHttpScriptInvocationContextValue rules. It returns the payload bytes and
// whether they are JSON the host sent natively (an object or array):
//
//   - an object or array is returned as is, with native true;
//   - a JSON string whose content is itself a JSON string literal (the
//     host's double encoding of .NET strings) is unquoted twice;
//   - any other JSON string is unquoted once: plain text, or JSON text of an
//     array or object (the host's encoding of lists);
//   - a number or boolean is returned as its text; null as nil.
//
// Value never decodes base64: that depends on the binding's dataType.
func Value(raw json.RawMessage) (payload []byte, native bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false, nil
	}
	switch raw[0] {
	case '{', '[':
		return raw, true, nil
	case 'n':
		if string(raw) == "null" {
			return nil, false, nil
		}
	case '"':
		if s, ok := doubleQuoted(raw); ok {
			return s, false, nil
		}
		s, err := jsonscan.Unquote(raw)
		if err != nil {
			return nil, false, invalid("value %s: %v", abbrev(raw), err)
		}
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			if inner, err := jsonscan.Unquote(s); err == nil {
				return inner, false, nil
			}
		}
		return s, false, nil
	}
	if !jsonscan.Valid(raw) {
		return nil, false, invalid("value %s is not JSON", abbrev(raw))
	}
	return raw, false, nil
}

// doubleQuoted returns the text of a string the host encoded twice,
// `"\"text\""`, without allocating, when the text is printable ASCII
// without quotes or backslashes (ids, dates, plain messages).
func doubleQuoted(raw []byte) ([]byte, bool) {
	n := len(raw)
	if n < 6 || raw[1] != '\\' || raw[2] != '"' || raw[n-3] != '\\' || raw[n-2] != '"' || raw[n-1] != '"' {
		return nil, false
	}
	text := raw[3 : n-3]
	for _, c := range text {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return nil, false
		}
	}
	return text, true
}

// Text returns the decoded payload of Data[name] (see [Value]) and whether
// the member is present.
func (r *Request) Text(name string) ([]byte, bool, error) {
	raw, ok := r.Data[name]
	if !ok {
		return nil, false, nil
	}
	b, _, err := Value(raw)
	return b, true, err
}

// Binary returns the bytes of Data[name], which the host sends as base64 for
// byte arrays (blobs, dataType "binary").
func (r *Request) Binary(name string) ([]byte, error) {
	raw, ok := r.Data[name]
	if !ok {
		return nil, invalid("no Data member %q", name)
	}
	return base64Value(raw)
}

// base64Value decodes a JSON string holding base64.
func base64Value(raw json.RawMessage) ([]byte, error) {
	s, err := jsonscan.Unquote(bytes.TrimSpace(raw))
	if err != nil {
		return nil, invalid("binary value is not a base64 string")
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	if err != nil {
		return nil, invalid("base64 value: %v", err)
	}
	return b[:n], nil
}

// MetaString returns Metadata[key] as a string, undoing the host's double
// encoding. It returns "" for an absent or null member.
func (r *Request) MetaString(key string) string { return metaString(r.Metadata[key]) }

func metaString(raw json.RawMessage) string {
	b, _, err := Value(raw)
	if err != nil {
		return ""
	}
	return string(b)
}

// MetaInt returns Metadata[key] as an integer: the host sends numbers as
// strings ("1"), older hosts as numbers.
func (r *Request) MetaInt(key string) (int64, bool) { return metaInt(r.Metadata[key]) }

func metaInt(raw json.RawMessage) (int64, bool) {
	b, _, err := Value(raw)
	if err != nil || len(b) == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64) // the conversion does not allocate
	return n, err == nil
}

// MetaTime returns Metadata[key] as a time; see [ParseTime].
func (r *Request) MetaTime(key string) (time.Time, bool) {
	t, err := metaTime(r.Metadata[key])
	return t, err == nil && !t.IsZero()
}

// metaArray decodes a metadata member the host sends as JSON text of an
// array ("[59,60]") into its elements; absent gives nil.
func metaArray(raw json.RawMessage) ([]json.RawMessage, error) {
	b, _, err := Value(raw)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	return array(b, "metadata array")
}

// array splits the JSON array b into its elements; what names b in errors.
func array(b []byte, what string) ([]json.RawMessage, error) {
	var items []json.RawMessage
	end := jsonscan.Array(b, 0, func(v []byte) bool {
		items = append(items, v)
		return true
	})
	if end < 0 || jsonscan.SkipSpace(b, end) != len(b) || !jsonscan.Valid(b) {
		return nil, invalid("%s %s is not a JSON array", what, abbrev(b))
	}
	return items, nil
}

// at returns items[i] or nil.
func at(items []json.RawMessage, i int) json.RawMessage {
	if i < len(items) {
		return items[i]
	}
	return nil
}

// scalarString returns a metadata element as text: a JSON string unquoted
// (twice when the host encoded it twice), a number or boolean as its text,
// null as "".
func scalarString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		return metaString(raw)
	}
	return string(raw)
}

// objectMembers returns the members of a JSON object, or of a JSON string
// holding one (the host's encoding of some metadata), by name; nil
// otherwise.
func objectMembers(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		b, _, err := Value(raw)
		if err != nil || len(b) == 0 || b[0] != '{' {
			return nil
		}
		raw = b
	}
	var m map[string]json.RawMessage
	if end, err := members(raw, 0, &m); end < 0 || err != nil {
		return nil
	}
	return m
}

// member returns the value of the member name of the JSON object raw (or
// a JSON string holding one), without building a map; nil when absent.
func member(raw json.RawMessage, name string) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if b, _, err := Value(raw); err == nil {
			raw = b
		}
	}
	var out json.RawMessage
	jsonscan.Object(raw, 0, func(k, v []byte) bool {
		if string(k) == name {
			out = v
			return false
		}
		return true
	})
	return out
}

func abbrev(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// looksJSON reports whether text is a JSON object or array, in UTF-8 as
// JSON must be.
func looksJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	return jsonscan.ValidUTF8(b)
}

// padSequence zero-pads a decimal sequence number to 20 digits, so that
// sequence extensions sort as strings.
func padSequence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) >= 20 {
		return s
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return s
		}
	}
	return strings.Repeat("0", 20-len(s)) + s
}
