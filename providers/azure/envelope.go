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
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalidRequest is wrapped by every error about an invocation request
// that is not what the host sends: not JSON, no Data, no trigger value, a
// value of the wrong shape.
var ErrInvalidRequest = errors.New("invalid invocation request")

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

// ParseRequest parses an invocation request body. Top-level names match
// case-insensitively, as the host's own reader does. It fails, wrapping
// ErrInvalidRequest, when body is not JSON, not an object, or has no Data
// object. The Request's raw values share body's memory: body must not change
// while they are in use.
func ParseRequest(body []byte) (*Request, error) {
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		return nil, invalid("body is not the host's JSON envelope: %v", err)
	}
	// body is valid JSON: split it without reflection.
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil, invalid("body is not the host's JSON envelope: want an object, got %s", abbrev(body[i:]))
	}
	r := &Request{}
	err := eachMember(body, i, func(key, val []byte) error {
		var dst *map[string]json.RawMessage
		switch {
		case bytes.EqualFold(key, []byte("Data")):
			dst = &r.Data
		case bytes.EqualFold(key, []byte("Metadata")):
			dst = &r.Metadata
		default:
			return nil
		}
		switch val[0] {
		case 'n':
			*dst = nil
			return nil
		case '{':
		default:
			return invalid("%s must be an object, got %s", key, abbrev(val))
		}
		m := *dst // a repeated member merges, as with encoding/json
		if m == nil {
			m = make(map[string]json.RawMessage, 8)
		}
		if err := eachMember(val, 0, func(k, v []byte) error {
			m[intern(k)] = v
			return nil
		}); err != nil {
			return err
		}
		*dst = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r.Data == nil {
		return nil, invalid(`missing "Data" object`)
	}
	return r, nil
}

// commonKeys are binding and metadata names the host sends on every
// invocation of some trigger; intern returns them without allocating.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"sys", "Id", "DequeueCount", "PopReceipt", "InsertionTime", "ExpirationTime", "NextVisibleTime",
		"Query", "Headers", "Params", "req", "msg", "event", "events", "timer", "blob", "documents",
		"MessageId", "DeliveryCount", "LockToken", "ContentType", "CorrelationId", "Subject", "Label", "SequenceNumber",
		"EnqueuedTimeUtc", "EnqueuedTime", "ExpiresAtUtc", "ExpiresAt", "ApplicationProperties", "UserProperties",
		"MessageReceiver", "MessageSession", "MessageActions", "SessionActions", "ReceiveActions", "Client",
		"PartitionContext", "Offset", "PartitionKey", "Properties", "SystemProperties", "SessionId",
		"OffsetArray", "SequenceNumberArray", "EnqueuedTimeUtcArray", "PartitionKeyArray", "PropertiesArray", "SystemPropertiesArray",
		"Uri", "Metadata", "name", "data"} {
		m[k] = k
	}
	return m
}()

func intern(b []byte) string {
	if s, ok := commonKeys[string(b)]; ok {
		return s
	}
	return string(b)
}

// eachMember calls fn with the decoded name and raw value of every member
// of the valid JSON object starting at b[i].
func eachMember(b []byte, i int, fn func(key, val []byte) error) error {
	i = skipSpace(b, i+1) // past '{'
	for i < len(b) && b[i] != '}' {
		end := skipValue(b, i)
		key, err := unquoteBytes(b[i:end])
		if err != nil {
			return invalid("member name: %v", err)
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // past ':'
		end = skipValue(b, i)
		if err := fn(key, b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// skipString returns the end of the JSON string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// Sys is the "sys" member of the request metadata.
type Sys struct {
	MethodName string
	UtcNow     time.Time
	RandGuid   string
}

// Sys returns the request's sys metadata; missing members are zero.
func (r *Request) Sys() Sys {
	var s struct {
		MethodName string
		UtcNow     string
		RandGuid   string
	}
	if raw, ok := r.Metadata["sys"]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	t, _ := ParseTime(s.UtcNow)
	return Sys{MethodName: s.MethodName, UtcNow: t, RandGuid: s.RandGuid}
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
		s, err := unquoteBytes(raw)
		if err != nil {
			return nil, false, invalid("value %s: %v", abbrev(raw), err)
		}
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			if inner, err := unquoteBytes(s); err == nil {
				return inner, false, nil
			}
		}
		return s, false, nil
	}
	if !json.Valid(raw) {
		return nil, false, invalid("value %s is not JSON", abbrev(raw))
	}
	return raw, false, nil
}

// unquote decodes a JSON string literal.
func unquote(raw []byte) (string, error) {
	b, err := unquoteBytes(raw)
	return string(b), err
}

// unquoteBytes decodes a JSON string literal as encoding/json does
// (invalid UTF-8 and lone surrogates become U+FFFD), without reflection.
// When the literal holds no escapes the result aliases raw.
func unquoteBytes(raw []byte) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, errors.New("not a JSON string")
	}
	in := raw[1 : len(raw)-1]
	i := 0
	for i < len(in) {
		c := in[i]
		if c == '\\' || c == '"' || c < 0x20 {
			break
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
			continue
		}
		i++
	}
	if i == len(in) {
		return in, nil
	}
	out := make([]byte, i, len(in)+8)
	copy(out, in[:i])
	for i < len(in) {
		c := in[i]
		switch {
		case c == '\\':
			i++
			if i >= len(in) {
				return nil, errors.New("JSON string ends in a backslash")
			}
			switch in[i] {
			case '"', '\\', '/':
				out = append(out, in[i])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(in[i+1:])
				if !ok {
					return nil, errors.New("bad \\u escape in JSON string")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+2 < len(in) && in[i+1] == '\\' && in[i+2] == 'u' {
						r2, ok = hex4(in[i+3:])
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, fmt.Errorf("bad escape \\%c in JSON string", in[i])
			}
			i++
		case c == '"' || c < 0x20:
			return nil, errors.New("unescaped quote or control character in JSON string")
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, "\uFFFD"...)
			} else {
				out = append(out, in[i:i+size]...)
			}
			i += size
		}
	}
	return out, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
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
	s, err := unquote(bytes.TrimSpace(raw))
	if err != nil {
		return nil, invalid("Data member %q is not a base64 string", name)
	}
	return decodeBase64(s)
}

func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, invalid("base64 value: %v", err)
	}
	return b, nil
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
	s := metaString(raw)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// MetaTime returns Metadata[key] as a time; see [ParseTime].
func (r *Request) MetaTime(key string) (time.Time, bool) {
	t, err := ParseTime(r.MetaString(key))
	return t, err == nil && !t.IsZero()
}

// ParseTime parses the host's date formats: RFC 3339 with a zone
// ("2022-06-20T06:00:06+00:00", "…:49.640002Z"), and .NET UTC DateTime
// text that lost its zone ("2023-10-12T20:13:49", "…:02.25"), read as UTC.
// The empty string gives the zero time and no error.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, invalid("time %q is neither RFC 3339 nor a zone-less ISO 8601 date", s)
	}
	return t, nil
}

// metaArray decodes a metadata member the host sends as JSON text of an
// array ("[59,60]") into its elements; absent gives nil.
func metaArray(raw json.RawMessage) ([]json.RawMessage, error) {
	b, _, err := Value(raw)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, invalid("metadata array %s: %v", abbrev(b), err)
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

// scalarString returns a metadata element as text: a JSON string unquoted,
// a number or boolean as its text, null as "".
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

func abbrev(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// looksJSON reports whether text is a JSON object or array.
func looksJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	return json.Valid(b)
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
