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
//   - a handler error or panic gets 500 and a JSON error body
//     {"error": "...", "kind": "retryable"|"permanent"}; the server keeps serving;
//   - a body over the limit (WithMaxBodyBytes) gets 413;
//   - a function's declared timeout (core.WithTimeout) bounds its context,
//     and the deadline is in core.InvocationFrom(ctx).
//
// GET /healthz answers {"status":"ok"}. Logs are JSON lines (log/slog) on
// standard output. Run shuts down gracefully on SIGINT and SIGTERM, letting
// requests in flight finish.
//
// Most programs do not import this package: they call adapters.Run, which
// picks this adapter when no polyfn.* build tag is set.
package local
