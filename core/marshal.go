package core

import "github.com/polyfn/polyfn/internal/cejson"

// MarshalEvent returns e in the CloudEvents JSON format, on one line, as
// polyfn writes a structured-mode event: the context attributes, the
// extensions in name order, then JSON data inline (compacted), UTF-8 text
// as a string, anything else as data_base64. A CloudEvents reader gets
// the same event from it as from json.Marshal(e), whose bytes differ in
// member order, in escaping <, > and &, and in writing data without a
// content type; it costs a fraction of json.Marshal's, and links none of
// the CloudEvents SDK's JSON codec. It refuses an event whose JSON data
// is not JSON, and an extension whose name is not a valid extension name.
func MarshalEvent(e Event) ([]byte, error) { return cejson.Marshal(e) }
