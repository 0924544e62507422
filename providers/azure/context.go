package azure

import "context"

type requestKey struct{}

// NewContext returns a copy of ctx carrying the invocation request, so a
// function can reach what the CloudEvent leaves out (input bindings, a
// blob's bytes, raw metadata) with RequestFromContext. The adapter calls
// it.
func NewContext(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFromContext returns the invocation request ctx carries, when the
// function runs on Azure in envelope mode.
func RequestFromContext(ctx context.Context) (*Request, bool) {
	r, ok := ctx.Value(requestKey{}).(*Request)
	return r, ok && r != nil
}
