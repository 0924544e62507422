package aws

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/internal/jsonscan"
)

// v2Request is an HTTP API (payload 2.0) or Function URL request read in
// one walk of the payload, its headers straight into an http.Header. The
// library's events.APIGatewayV2HTTPRequest, which
// APIGatewayV2RequestFromContext returns, is built on first use.
type v2Request struct {
	method, rawPath, httpPath, rawQuery, body string
	domain, requestID, protocol, sourceIP     string
	timeEpoch                                 int64
	b64                                       bool
	cookies                                   []string
	header                                    http.Header
	// taken is set once a Request owns header.
	taken bool

	raw    string // the payload, for the native view
	once   sync.Once
	native *events.APIGatewayV2HTTPRequest
}

// decodeV2 reads an HTTP API or Function URL request. The error names the
// member that is not what API Gateway sends.
func decodeV2(src Source, payload []byte) (*v2Request, error) {
	if !jsonscan.Valid(payload) {
		return nil, malformed("%s request: payload is not valid JSON", src)
	}
	sc := newScanner(payload)
	r := &v2Request{raw: sc.str}
	var err error
	if jsonscan.Object(payload, 0, func(name, value []byte) bool {
		var e error
		switch string(name) {
		case "rawPath":
			r.rawPath, e = sc.text(value)
		case "rawQueryString":
			r.rawQuery, e = sc.text(value)
		case "body":
			r.body, e = sc.text(value)
		case "isBase64Encoded":
			r.b64, e = jsonBool(value)
		case "cookies":
			r.cookies, e = sc.texts(value)
		case "headers":
			e = readHeaders(&sc, value, &r.header)
		case "requestContext":
			e = r.readContext(&sc, value)
		}
		if e != nil {
			err = malformed("%s request: %s: %v", src, name, e)
		}
		return e == nil
	}) < 0 && err == nil {
		return nil, malformed("%s request: payload is not a JSON object", src)
	}
	if err != nil {
		return nil, err
	}
	if r.method == "" {
		return nil, malformed("%s request: no requestContext.http.method", src)
	}
	return r, nil
}

// readContext reads the requestContext members a request needs.
func (r *v2Request) readContext(sc *scanner, v []byte) error {
	var err error
	if jsonscan.Object(v, 0, func(name, value []byte) bool {
		switch string(name) {
		case "domainName":
			r.domain, err = sc.text(value)
		case "requestId":
			r.requestID, err = sc.text(value)
		case "timeEpoch":
			if string(value) != "null" {
				r.timeEpoch, err = strconv.ParseInt(sc.sub(value), 10, 64)
			}
		case "http":
			if jsonscan.Object(value, 0, func(name, value []byte) bool {
				switch string(name) {
				case "method":
					r.method, err = sc.text(value)
				case "path":
					r.httpPath, err = sc.text(value)
				case "protocol":
					r.protocol, err = sc.text(value)
				case "sourceIp":
					r.sourceIP, err = sc.text(value)
				}
				return err == nil
			}) < 0 && err == nil && string(value) != "null" {
				err = errNotObject
			}
		}
		return err == nil
	}) < 0 && err == nil && string(v) != "null" {
		return errNotObject
	}
	return err
}

// request returns the library's view of the request, built once.
func (r *v2Request) request() *events.APIGatewayV2HTTPRequest {
	r.once.Do(func() {
		r.native = new(events.APIGatewayV2HTTPRequest)
		_ = json.Unmarshal([]byte(r.raw), r.native)
	})
	return r.native
}

// jsonBool reads a JSON boolean; null is false.
func jsonBool(v []byte) (bool, error) {
	switch string(v) {
	case "true":
		return true, nil
	case "false", "null":
		return false, nil
	}
	return false, errNotBool
}
