package polyfntest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/providers/aws"
	"github.com/polyfn/polyfn/providers/azure"
)

// awsHTTPTriggers are internal/sample's names of the AWS HTTP front ends.
var awsHTTPTriggers = map[aws.Source]string{
	aws.SourceAPIGatewayV1: "apigw-v1",
	aws.SourceAPIGatewayV2: "apigw-v2",
	aws.SourceFunctionURL:  "url",
	aws.SourceALB:          "alb",
}

// HTTPRequest returns the request HTTP function fn's handler gets when a
// client sends r, whose URL holds a path and a query: on AWS, r through
// the function's front end (an HTTP API unless its trigger says otherwise)
// and back out of the Lambda payload; on Azure, r through the host's HTTP
// trigger, route parameters as path values; on Google and local, r as it
// is. It reads r's body.
func (k *Kit) HTTPRequest(fn string, r *http.Request) *http.Request {
	k.t.Helper()
	f := k.function(fn, core.HTTPFunction).Def()
	req, err := httpRequest(k.provider, k.app, f, r)
	if err != nil {
		k.fail("function "+fn, err)
	}
	return req
}

func httpRequest(p Provider, app *core.App, f *core.Function, r *http.Request) (*http.Request, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ctx := context.Background()
	switch {
	case p == AWS:
		sources, err := aws.SourceOf(f)
		if err != nil {
			return nil, err
		}
		src := aws.SourceAPIGatewayV2
		for _, s := range sources {
			if s.IsHTTP() {
				src = s
				break
			}
		}
		payload, err := sample.AWSHTTP(awsHTTPTriggers[src], driver.NewID(), r)
		if err != nil {
			return nil, err
		}
		hr, err := aws.DecodeHTTP(src, payload)
		if err != nil {
			return nil, err
		}
		opts, err := aws.HTTPOptionsOf(f)
		if err != nil {
			return nil, err
		}
		return hr.Request(ctx, opts)
	case p == Azure && !azure.Forwarding(app):
		src, err := azure.SourceOf(f)
		if err != nil {
			return nil, err
		}
		b, err := sample.HostJSON(sample.AzureHTTP(src.Trigger.Name, src.Trigger.Prop("route"), r), f.Name)
		if err != nil {
			return nil, err
		}
		req, inv, err := azureDecode(b, src)
		if err != nil {
			return nil, err
		}
		if inv.HTTP == nil {
			return nil, fmt.Errorf("function %q: the host's invocation carries no HTTP request", f.Name)
		}
		return inv.HTTP.WithContext(azure.NewContext(ctx, req)), nil
	}
	out := r.Clone(ctx)
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	return out, nil
}

// ServeHTTP sends r to HTTP function fn as the provider's HTTP front end
// delivers it (see HTTPRequest) and returns what the runtime answers: the
// handler's response, or the runtime's JSON error for a panic or a body
// over the limit. The function's failure lines go to the test's log.
func (k *Kit) ServeHTTP(fn string, r *http.Request) *http.Response {
	k.t.Helper()
	req := k.HTTPRequest(fn, r)
	w := httptest.NewRecorder()
	k.function(fn, core.HTTPFunction).HTTP(w, req, invoke.Start{Trigger: core.TriggerHTTP})
	return w.Result()
}
