package core

import (
	"net/http"

	"github.com/polyfn/polyfn/internal/opaque"
)

// GuardEvents adds HTTP middleware that runs in front of the App's event
// functions where an adapter serves them to HTTP callers the platform does
// not authenticate: the local adapter (a laptop, Cloud Run, Knative) and
// the Google adapter (Pub/Sub push, Eventarc, direct calls). It sees the
// request before its body is read and may refuse it (an authentication
// middleware answers 401); what it puts in the request's context reaches
// the event function. mws[0] is the outermost layer. Events that the
// platform delivers itself (an SQS poller, the Azure Functions host) do
// not pass through it. Add guards before handing the App to an adapter.
func (a *App) GuardEvents(mws ...HTTPMiddleware) {
	a.guardMu.Lock()
	defer a.guardMu.Unlock()
	a.guards = append(a.guards, mws...)
}

// EventGuard wraps h, the handler that serves the function's events over
// HTTP, in the App's event guards (App.GuardEvents). It returns h itself
// for an HTTP function or when the App has no guard. Adapters call it once
// per function, at start-up.
func (f *Function) EventGuard(h http.Handler) http.Handler {
	app := opaque.Get(f.app)
	if f.Kind != EventFunction || app == nil {
		return h
	}
	app.guardMu.Lock()
	guards := append([]HTTPMiddleware(nil), app.guards...)
	app.guardMu.Unlock()
	if len(guards) == 0 {
		return h
	}
	return chainHTTP(h, guards)
}
