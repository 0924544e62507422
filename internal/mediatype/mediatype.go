// Package mediatype classifies Content-Type values the way the CloudEvents
// JSON format does, without the allocations of mime.ParseMediaType.
package mediatype

import "strings"

// Of returns the media type of a Content-Type value, lower-cased and without
// parameters. It allocates only when ct holds upper-case letters.
func Of(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// IsJSON reports whether mt (as Of returns it) holds JSON: empty (the JSON
// format implies JSON), application/json, text/json or any */*+json.
func IsJSON(mt string) bool {
	return mt == "" || mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// IsText reports whether mt (as Of returns it) is text that the JSON format
// carries as a string: text/* (but text/json), application/xml, */*+xml.
func IsText(mt string) bool {
	return !IsJSON(mt) && (strings.HasPrefix(mt, "text/") || mt == "application/xml" || strings.HasSuffix(mt, "+xml"))
}
