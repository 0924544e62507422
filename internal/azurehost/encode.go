package azurehost

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// DateTimeOffset is a time the host holds as a .NET DateTimeOffset: Encode
// writes it with its offset and seconds precision
// ("2022-06-20T06:00:06+00:00"). A plain time.Time is a .NET DateTime and
// loses its zone ("2023-10-12T20:13:49").
type DateTimeOffset time.Time

// Raw is a value Encode writes unchanged, for shapes the helpers do not
// cover.
type Raw = json.RawMessage

// Encode renders a value as the host's GetHttpScriptInvocationContextValue
// does before it POSTs an invocation:
//
//   - []byte → base64 string;
//   - time.Time (DateTime) → "2006-01-02T15:04:05", no zone, no fraction;
//     DateTimeOffset → "2006-01-02T15:04:05+00:00";
//   - string → a JSON string holding the JSON string literal (double
//     encoding: "\"hello\"");
//   - numbers and booleans → their JSON text in a string ("1", "true");
//   - slices and arrays → their JSON text in a string ("[59,60]");
//   - maps, structs and Raw → native JSON;
//   - nil → null (Metadata skips it).
func Encode(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null")
	case json.RawMessage:
		return x
	case []byte:
		return quote(base64.StdEncoding.EncodeToString(x))
	case time.Time:
		return quote(x.Format("2006-01-02T15:04:05"))
	case DateTimeOffset:
		return quote(time.Time(x).Format("2006-01-02T15:04:05-07:00"))
	case string:
		return quote(string(quote(x)))
	case bool:
		return quote(strconv.FormatBool(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		b, _ := json.Marshal(v)
		return quote(string(b))
	case reflect.Slice, reflect.Array:
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("host simulator: Encode %T: %v", v, err))
		}
		return quote(string(b))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("host simulator: Encode %T: %v", v, err))
	}
	return b
}

func quote(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// Request is an invocation request body: binding values and metadata,
// already encoded (see Encode). Host.Invoke adds Metadata.sys when absent.
type Request struct {
	Data     map[string]json.RawMessage `json:"Data"`
	Metadata map[string]json.RawMessage `json:"Metadata"`
}

// NewRequest returns a Request with empty Data and Metadata.
func NewRequest() Request {
	return Request{Data: map[string]json.RawMessage{}, Metadata: map[string]json.RawMessage{}}
}

// Set encodes v into Data[name] and returns r.
func (r Request) Set(name string, v any) Request {
	r.Data[name] = Encode(v)
	return r
}

// Meta encodes v into Metadata[key], skipping nil as the host does, and
// returns r.
func (r Request) Meta(key string, v any) Request {
	if v == nil {
		return r
	}
	if s, ok := v.(string); ok && s == "" {
		return r
	}
	r.Metadata[key] = Encode(v)
	return r
}

// liftProps copies the top-level members of a JSON object message into
// metadata, as the host's binding data does: strings double-encoded,
// numbers and booleans as strings, objects native.
func (r Request) liftProps(body []byte) Request {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return r
	}
	for k, v := range m {
		if _, taken := r.Metadata[k]; taken || v == nil {
			continue
		}
		switch x := v.(type) {
		case float64:
			r.Metadata[k] = quote(strconv.FormatFloat(x, 'f', -1, 64))
		default:
			r.Metadata[k] = Encode(x)
		}
	}
	return r
}
