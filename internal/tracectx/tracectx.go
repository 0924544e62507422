// Package tracectx reads and writes the trace context headers polyfn meets:
// W3C traceparent, the X-Ray trace header (X-Amzn-Trace-Id, Lambda's
// Lambda-Runtime-Trace-Id, SQS's AWSTraceHeader) and Google's
// X-Cloud-Trace-Context. Conversions keep the trace id, so a trace begun
// by one of them continues in the others. It allocates only the strings
// it returns.
package tracectx

import (
	"strconv"
	"strings"
)

// A Parent is a parsed W3C traceparent: lower-case hexadecimal ids.
type Parent struct {
	TraceID string // 32 hex digits, not all zero
	SpanID  string // 16 hex digits, not all zero
	Sampled bool   // the sampled flag
}

const (
	zeroTrace = "00000000000000000000000000000000"
	zeroSpan  = "0000000000000000"
)

// Parse reads a traceparent header: version 00 is read exactly
// ("00-<trace>-<span>-<flags>"); a later version is read by its first four
// fields, as the W3C recommendation asks. ok is false for anything else,
// including an all-zero id.
func Parse(tp string) (p Parent, ok bool) {
	if len(tp) < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' || !isHex(tp[:2]) || tp[:2] == "ff" {
		return p, false
	}
	if tp[:2] == "00" && len(tp) != 55 || len(tp) > 55 && tp[55] != '-' {
		return p, false
	}
	p = Parent{TraceID: tp[3:35], SpanID: tp[36:52]}
	flags := tp[53:55]
	if !isHex(p.TraceID) || !isHex(p.SpanID) || !isHex(flags) || p.TraceID == zeroTrace || p.SpanID == zeroSpan {
		return Parent{}, false
	}
	p.Sampled = fromHex(flags[1])&1 == 1
	return p, true
}

// String returns p as a version 00 traceparent.
func (p Parent) String() string {
	var b [55]byte
	n := copy(b[:], "00-")
	n += copy(b[n:], p.TraceID)
	b[n] = '-'
	n++
	n += copy(b[n:], p.SpanID)
	if p.Sampled {
		copy(b[n:], "-01")
	} else {
		copy(b[n:], "-00")
	}
	return string(b[:])
}

// XRayTraceID returns the X-Ray form of a W3C trace id:
// "1-<8 hex digits>-<24 hex digits>".
func XRayTraceID(traceID string) string {
	if len(traceID) != 32 {
		return ""
	}
	return "1-" + traceID[:8] + "-" + traceID[8:]
}

// FromXRay returns the W3C traceparent that names the same trace and
// parent as an X-Ray trace header (for example
// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
// gives "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"): the
// trace id is Root's time and random parts, the parent id is Parent, and
// the sampled flag is set when Sampled is 1 (an undecided "?" is not
// sampled). Other fields (Lineage) are ignored. ok is false when the
// header has no well-formed Root and Parent.
func FromXRay(xray string) (traceparent string, ok bool) {
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
	p := Parent{TraceID: root[2:10] + root[11:], SpanID: parent, Sampled: sampled}
	if p.TraceID == zeroTrace || len(parent) != 16 || !isHex(parent) || parent == zeroSpan {
		return "", false
	}
	return p.String(), true
}

// ToXRay returns the X-Ray trace header of a W3C traceparent:
// "Root=1-…;Parent=…;Sampled=0|1", or "" when tp is not well-formed.
func ToXRay(tp string) string {
	p, ok := Parse(tp)
	if !ok {
		return ""
	}
	s := "0"
	if p.Sampled {
		s = "1"
	}
	return "Root=" + XRayTraceID(p.TraceID) + ";Parent=" + p.SpanID + ";Sampled=" + s
}

// FromCloudTrace returns the W3C traceparent of Google's
// X-Cloud-Trace-Context header, "TRACE/SPAN;o=F": 32 hexadecimal digits of
// trace id, a decimal span id, and o=1 when the trace is sampled. ok is
// false when the header is not well-formed or an id is zero.
func FromCloudTrace(h string) (traceparent string, ok bool) {
	trace, rest, found := strings.Cut(h, "/")
	if !found || len(trace) != 32 || !isHex(trace) || trace == zeroTrace {
		return "", false
	}
	span, opts, _ := strings.Cut(rest, ";")
	if span == "" || len(span) > 20 {
		return "", false
	}
	id, err := strconv.ParseUint(span, 10, 64)
	if err != nil || id == 0 {
		return "", false
	}
	s := strconv.FormatUint(id, 16)
	p := Parent{TraceID: trace, SpanID: zeroSpan[:16-len(s)] + s}
	switch {
	case opts == "":
	case len(opts) == 3 && opts[:2] == "o=" && opts[2] >= '0' && opts[2] <= '9':
		p.Sampled = (opts[2]-'0')&1 == 1
	default:
		return "", false
	}
	return p.String(), true
}

// isHex reports whether s is lower-case hexadecimal digits, as trace
// context ids must be.
func isHex(s string) bool {
	var bad byte
	for i := 0; i < len(s); i++ {
		bad |= unhex[s[i]]
	}
	return bad&badDigit == 0
}

func fromHex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}
