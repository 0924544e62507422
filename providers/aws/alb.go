package aws

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/internal/jsonscan"
)

// albRequest is an ALB or VPC Lattice target group request read in one
// walk of the payload, its headers straight into an http.Header,
// single-value and multi-value alike. For ALB, the library's
// events.ALBTargetGroupRequest, which ALBRequestFromContext returns, is
// built on first use.
type albRequest struct {
	method, path, body string
	b64                bool
	targetGroup        string
	timeEpoch          int64 // VPC Lattice v2: microseconds
	header             http.Header
	// taken is set once a Request owns header.
	taken bool
	// query holds the query parameters as the load balancer sent them.
	query []queryParam
	// multi is true for an ALB request in the multi-value headers style.
	multi bool

	raw    string // the payload, for the native view
	once   sync.Once
	native *events.ALBTargetGroupRequest
}

type queryParam struct{ k, v string }

// decodeALB reads an ALB request, or a VPC Lattice request (event format
// 1.0, snake_case members, or 2.0, multi-value headers and query under
// headers and queryStringParameters) when src is SourceVPCLattice. The
// error names the member that is not what the load balancer sends.
func decodeALB(src Source, payload []byte) (*albRequest, error) {
	what := "ALB request"
	if src == SourceVPCLattice {
		what = "VPC Lattice request"
	}
	if !jsonscan.Valid(payload) {
		return nil, malformed("%s: payload is not valid JSON", what)
	}
	sc := newScanner(payload)
	r := &albRequest{raw: sc.str}
	var err error
	if jsonscan.Object(payload, 0, func(name, value []byte) bool {
		var e error
		switch string(name) {
		case "httpMethod", "method":
			r.method, e = sc.text(value)
		case "path", "raw_path":
			r.path, e = sc.text(value)
		case "body":
			r.body, e = sc.text(value)
		case "isBase64Encoded", "is_base64_encoded":
			r.b64, e = jsonBool(value)
		case "headers":
			e = readHeaders(&sc, value, &r.header)
		case "multiValueHeaders":
			r.multi = r.multi || string(value) != "null"
			e = readHeaders(&sc, value, &r.header)
		case "queryStringParameters", "query_string_parameters":
			e = r.readQuery(&sc, value)
		case "multiValueQueryStringParameters":
			r.multi = r.multi || string(value) != "null"
			e = r.readQuery(&sc, value)
		case "requestContext":
			e = r.readContext(&sc, value)
		}
		if e != nil {
			err = malformed("%s: %s: %v", what, name, e)
		}
		return e == nil
	}) < 0 && err == nil {
		return nil, malformed("%s: payload is not a JSON object", what)
	}
	if err != nil {
		return nil, err
	}
	if r.method == "" {
		return nil, malformed("%s: no method", what)
	}
	if src == SourceVPCLattice {
		r.multi = false
		if p, q, ok := strings.Cut(r.path, "?"); ok && len(r.query) == 0 {
			// A format 1.0 raw_path may carry the query.
			r.path = p
			r.query = parseQuery(q)
		}
	}
	// The query is rendered sorted by key, the values of a key in order.
	// (An insertion sort: stable, and queries are short.)
	q := r.query
	for i := 1; i < len(q); i++ {
		for j := i; j > 0 && q[j].k < q[j-1].k; j-- {
			q[j], q[j-1] = q[j-1], q[j]
		}
	}
	return r, nil
}

// parseQuery splits a raw query into its parameters, as sent.
func parseQuery(q string) []queryParam {
	var out []queryParam
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, queryParam{k, v})
	}
	return out
}

// readQuery reads an object of query parameters whose values are strings
// or arrays of strings.
func (r *albRequest) readQuery(sc *scanner, v []byte) error {
	if string(v) == "null" {
		return nil
	}
	var err error
	if jsonscan.Object(v, 0, func(name, value []byte) bool {
		var k string
		if k, err = memberName(sc, name); err != nil {
			return false
		}
		if len(value) == 0 || value[0] != '[' {
			var s string
			if s, err = sc.text(value); err == nil {
				r.query = append(r.query, queryParam{k, s})
			}
			return err == nil
		}
		if jsonscan.Array(value, 0, func(e []byte) bool {
			var s string
			if s, err = sc.text(e); err == nil {
				r.query = append(r.query, queryParam{k, s})
			}
			return err == nil
		}) < 0 && err == nil {
			err = errNotArray
		}
		return err == nil
	}) < 0 && err == nil {
		return errNotObject
	}
	return err
}

// readContext reads the target group ARN (ALB: elb.targetGroupArn; VPC
// Lattice: targetGroupArn) and VPC Lattice's timeEpoch.
func (r *albRequest) readContext(sc *scanner, v []byte) error {
	var err error
	jsonscan.Object(v, 0, func(name, value []byte) bool {
		switch string(name) {
		case "elb":
			jsonscan.Object(value, 0, func(name, value []byte) bool {
				if string(name) == "targetGroupArn" {
					r.targetGroup, err = sc.text(value)
				}
				return err == nil
			})
		case "targetGroupArn":
			r.targetGroup, err = sc.text(value)
		case "timeEpoch":
			var t string
			if t, err = sc.text(value); err == nil && t != "" {
				r.timeEpoch, err = strconv.ParseInt(t, 10, 64)
			}
		}
		return err == nil
	})
	return err
}

// targetGroupOf returns the target group ARN: the payload's, or for VPC
// Lattice 1.0, which has no requestContext, the TargetGroupArn of the
// X-Amzn-Lattice-Target header.
func (r *albRequest) targetGroupOf(h http.Header) string {
	if r.targetGroup != "" {
		return r.targetGroup
	}
	for _, f := range strings.Split(h.Get("X-Amzn-Lattice-Target"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(f), "TargetGroupArn="); ok {
			return v
		}
	}
	return ""
}

// rawQuery renders the query: keys and values are percent-decoded exactly
// once (ALB passes them as the client sent them) and encoded again.
func (r *albRequest) rawQuery() string {
	if len(r.query) == 0 {
		return ""
	}
	var sb strings.Builder
	for i, p := range r.query {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(url.QueryEscape(unescapeQuery(p.k)))
		sb.WriteByte('=')
		sb.WriteString(url.QueryEscape(unescapeQuery(p.v)))
	}
	return sb.String()
}

// request returns the library's view of the request, built once.
func (r *albRequest) request() *events.ALBTargetGroupRequest {
	r.once.Do(func() {
		r.native = new(events.ALBTargetGroupRequest)
		_ = json.Unmarshal([]byte(r.raw), r.native)
	})
	return r.native
}
