// Package mediatype classifies Content-Type values the way the CloudEvents
// JSON format and the HTTP gateways of the clouds do, without the
// allocations of mime.ParseMediaType. It is the one copy of these rules for
// core, the codecs and the providers.
package mediatype

import (
	"strings"
	"unicode/utf8"
)

// known are media types Of returns without allocating even when a sender
// spells them with upper-case letters.
var known = [...]string{
	"application/json",
	"application/cloudevents+json",
	"application/cloudevents-batch+json",
	"application/octet-stream",
	"application/xml",
	"application/x-www-form-urlencoded",
	"text/plain",
	"text/html",
	"text/json",
	"text/xml",
	"text/csv",
}

// Of returns the media type of a Content-Type value, lower-cased and without
// parameters or surrounding space: "Application/JSON; charset=UTF-8" gives
// "application/json". It allocates only when ct holds upper-case letters
// and is not one of a few common types.
func Of(ct string) string {
	if ct == "application/json" { // what nearly every event says
		return ct
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; c >= 'A' && c <= 'Z' {
			for _, k := range known {
				if len(k) == len(ct) && strings.EqualFold(k, ct) {
					return k
				}
			}
			return strings.ToLower(ct)
		}
	}
	return ct
}

// OfPtr is Of for an optional value, such as a CloudEvent's
// datacontenttype attribute: nil gives "".
func OfPtr(ct *string) string {
	if ct == nil {
		return ""
	}
	return Of(*ct)
}

// IsJSON reports whether mt (as Of returns it) holds JSON: empty (the JSON
// format implies JSON), application/json, text/json or any */*+json.
func IsJSON(mt string) bool {
	return mt == "" || mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// IsText reports whether mt (as Of returns it) is text that the CloudEvents
// JSON format carries as a string: text/* (but text/json), application/xml,
// */*+xml. JSON is not text here: the format carries it as a JSON value.
func IsText(mt string) bool {
	return !IsJSON(mt) && (strings.HasPrefix(mt, "text/") || mt == "application/xml" || strings.HasSuffix(mt, "+xml"))
}

// IsTextual reports whether HTTP bodies of media type mt (as Of returns it)
// are text, as the clouds' HTTP gateways decide whether a body travels as a
// string or base64-encoded: text/*, JSON and XML types, JavaScript, form
// data, GraphQL, NDJSON and YAML. The empty type is not textual.
func IsTextual(mt string) bool {
	switch mt {
	case "application/json", "application/xml", "application/javascript",
		"application/x-www-form-urlencoded", "application/graphql",
		"application/x-ndjson", "application/yaml":
		return true
	}
	return strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
}

// IsBinaryBody reports whether an HTTP body with these Content-Type and
// Content-Encoding values must travel base64-encoded through a gateway
// that carries bodies in JSON: it is encoded (gzip, br, ...), its media type
// is not textual (see IsTextual), or it is not valid UTF-8. An empty body
// is never binary; neither is valid UTF-8 without a Content-Type.
func IsBinaryBody(contentType, contentEncoding string, body []byte) bool {
	if len(body) == 0 {
		return false
	}
	if contentEncoding != "" && !strings.EqualFold(strings.TrimSpace(contentEncoding), "identity") {
		return true
	}
	if contentType != "" && !IsTextual(Of(contentType)) {
		return true
	}
	return !utf8.Valid(body)
}
