// Package local runs a polyfn App as a plain HTTP server: the local runtime
// for a laptop, and the production adapter for any platform that delivers
// CloudEvents over HTTP (Knative Serving, Cloud Run).
//
// HTTP functions are served at their routes. Event functions are served at
// POST /{name}, and at POST / when the App has exactly one event function
// (or when WithFunction or POLYFN_FUNCTION names one). Event requests are
// CloudEvents in binary, structured or batched mode, per the CloudEvents
// HTTP binding:
//
//   - a request that is not a valid CloudEvent gets 400 and a JSON error
//     naming what is wrong;
//   - a reply event comes back in binary mode with 200, no reply is 204;
//   - a handler error or panic gets 500 (422 for core.Permanent) and a JSON
//     error body {"error", "kind": "retryable"|"permanent", "invocation_id"}
//     that says how the function failed, not its error text, which goes to
//     the log (WithErrorDetails, for development, puts it in the answer);
//     the server keeps serving;
//   - a body over the limit (WithMaxBodyBytes) gets 413, and so does a
//     batch of more events than WithMaxBatchEvents allows;
//   - a function's declared timeout (core.WithTimeout) bounds its context,
//     and the deadline is in core.InvocationFrom(ctx).
//
// The server bounds what clients can hold: read, write and idle timeouts,
// and room for new connections under a flood of idle ones (see
// WithReadTimeout, WithWriteTimeout, WithIdleTimeout, WithMaxConns and
// docs/limits.md).
//
// GET /healthz answers {"status":"ok"}. Logs are JSON lines (log/slog) on
// standard output; Run installs its handler as slog's default, and inside
// an invocation every line names the function, the invocation, the event
// and the trace (the traceparent header, or the event's own), which reply
// events carry onward (docs/observability.md). Run shuts down gracefully on SIGINT and SIGTERM, letting
// requests in flight finish within the shutdown timeout; shortly before it
// ends, the contexts of those still running are cancelled, so that they
// stop and answer with a retryable failure.
//
// Most programs do not import this package: they call adapters.Run, which
// picks this adapter when no polyfn.* build tag is set.
package local
