package core

import (
	"context"
	"log/slog"
	"time"

	"github.com/polyfn/polyfn/core/internal/invctx"
)

// Invocation describes the current invocation. Adapters attach it to the
// context they pass to a function; read it with [InvocationFrom].
type Invocation struct {
	// Function is the name the function was registered under.
	Function string
	// ID is the platform's id of the invocation (the Lambda request id, the
	// Azure invocation id, the Cloud Functions execution id, the request's
	// X-Request-Id), or one the adapter made up when the platform gives none.
	ID string
	// Provider names the adapter: "aws", "azure", "gcp" or "local".
	Provider string
	// Trigger is the kind of trigger that caused the invocation.
	Trigger TriggerKind
	// ColdStart is true for the first invocation in this process.
	ColdStart bool
	// Deadline is when the invocation's context expires; zero when neither
	// the platform nor the function's timeout (WithTimeout) sets one.
	Deadline time.Time
	// TraceParent and TraceState are the W3C trace context the platform sent
	// with the invocation (traceparent and tracestate), when it sent one.
	TraceParent, TraceState string
	// Logger is the invocation's logger, when the adapter sets one; nil
	// otherwise.
	Logger *slog.Logger
}

// InvocationFrom returns the invocation ctx carries, or the zero Invocation
// outside one.
func InvocationFrom(ctx context.Context) Invocation {
	if inv, ok := ctx.Value(invctx.Key{}).(*Invocation); ok && inv != nil {
		return *inv
	}
	return Invocation{}
}
