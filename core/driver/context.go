package driver

import (
	"context"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/internal/invctx"
)

// invocationCtx carries an Invocation in the same allocation as the
// context that holds it.
type invocationCtx struct {
	context.Context
	inv core.Invocation
}

func (c *invocationCtx) Value(key any) any {
	if key == (invctx.Key{}) {
		return &c.inv
	}
	return c.Context.Value(key)
}

// WithInvocation returns a copy of ctx carrying a copy of *inv, which
// core.InvocationFrom reads back. Adapters call it once per invocation.
func WithInvocation(ctx context.Context, inv *core.Invocation) context.Context {
	return &invocationCtx{Context: ctx, inv: *inv}
}
