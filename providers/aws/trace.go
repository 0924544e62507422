package aws

import "strings"

// TraceParent returns the W3C traceparent that names the same trace and
// parent as an X-Ray trace header, the header Lambda gives each invocation
// (for example "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
// gives "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"): the
// trace id is Root's time and random parts, the parent id is Parent, and
// the sampled flag is set when Sampled is 1. ok is false when the header
// has no well-formed Root and Parent.
func TraceParent(xray string) (traceparent string, ok bool) {
	var root, parent string
	sampled := false
	for xray != "" {
		var field string
		field, xray, _ = strings.Cut(xray, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch k {
		case "Root":
			root = v
		case "Parent":
			parent = v
		case "Sampled":
			sampled = v == "1"
		}
	}
	// Root is 1-<8 hex digits of time>-<24 hex digits>.
	if len(root) != 35 || root[:2] != "1-" || root[10] != '-' || !isHex(root[2:10]) || !isHex(root[11:]) {
		return "", false
	}
	if len(parent) != 16 || !isHex(parent) || parent == "0000000000000000" {
		return "", false
	}
	var b [55]byte
	n := copy(b[:], "00-")
	n += copy(b[n:], root[2:10])
	n += copy(b[n:], root[11:])
	b[n] = '-'
	n++
	n += copy(b[n:], parent)
	if sampled {
		copy(b[n:], "-01")
	} else {
		copy(b[n:], "-00")
	}
	return string(b[:]), true
}

// isHex reports whether s is lower-case hexadecimal digits, as trace
// context ids must be.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
