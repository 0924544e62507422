package core

import (
	"context"
	"time"
)

// Invocation describes the current invocation. Adapters attach it to the
// context they pass to a function; read it with [InvocationFrom].
type Invocation struct {
	// Function is the name the function was registered under.
	Function string
	// ID is the platform's invocation or request id (the Lambda request id,
	// the Azure invocation id, the event id).
	ID string
	// Provider names the adapter: "aws", "azure", "gcp" or "local".
	Provider string
	// Trigger is the kind of trigger that caused the invocation.
	Trigger TriggerKind
	// ColdStart is true for the first invocation in this process.
	ColdStart bool
	// Deadline is when the platform stops the invocation; zero when unknown.
	Deadline time.Time
}

type invocationKey struct{}

// invocationCtx carries an Invocation in the same allocation as the
// context that holds it.
type invocationCtx struct {
	context.Context
	inv Invocation
}

func (c *invocationCtx) Value(key any) any {
	if key == (invocationKey{}) {
		return &c.inv
	}
	return c.Context.Value(key)
}

// WithInvocation returns a copy of ctx carrying a copy of *inv. Adapters
// call it; a function reads it back with InvocationFrom.
func WithInvocation(ctx context.Context, inv *Invocation) context.Context {
	return &invocationCtx{Context: ctx, inv: *inv}
}

// InvocationFrom returns the invocation ctx carries, or the zero Invocation.
func InvocationFrom(ctx context.Context) Invocation {
	if inv, ok := ctx.Value(invocationKey{}).(*Invocation); ok && inv != nil {
		return *inv
	}
	return Invocation{}
}

// FunctionName returns the name of the function being invoked, or "".
func FunctionName(ctx context.Context) string { return InvocationFrom(ctx).Function }

// InvocationID returns the platform's id of this invocation, or "".
func InvocationID(ctx context.Context) string { return InvocationFrom(ctx).ID }

// Provider returns the name of the adapter running the function, or "".
func Provider(ctx context.Context) string { return InvocationFrom(ctx).Provider }

// IsColdStart reports whether this is the process's first invocation.
func IsColdStart(ctx context.Context) bool { return InvocationFrom(ctx).ColdStart }
