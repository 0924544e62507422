// Package gcp runs a polyfn App on Google Cloud Functions (2nd gen, "Cloud
// Run functions") and Cloud Run, on top of functions-framework-go.
//
// There are two ways in, one per deployment path:
//
//   - Source deploy (gcloud functions deploy --gen2 with the Go buildpack):
//     a library package calls gcf.Register (package
//     polyfn/adapters/gcp/gcf) from init. It registers every App function
//     with functions-framework-go under its name as a plain HTTP function
//     (functions.HTTP) served by this package's [Handler] with
//     [WithTarget], and the buildpack's generated main serves the one that
//     GOOGLE_FUNCTION_TARGET names. functions-framework-go's CloudEvent
//     handler is not used: one reader serves both paths.
//   - Container deploy (Cloud Run, or any binary built with
//     -tags polyfn.gcp): main calls adapters.Run, which calls [Run]. Run
//     serves the App from its own http.Server, so SIGTERM drains requests in
//     flight (functions-framework-go's Start cannot), and it reads requests
//     with polyfn's own CloudEvents codec, which needs only the CloudEvents
//     SDK's event package. This package does not import
//     functions-framework-go: it implements the same HTTP contract (routing
//     by FUNCTION_TARGET, legacy-event conversion, status codes), so a
//     container binary links neither functions-framework-go nor the SDK's
//     client, HTTP protocol and zap logger.
//
// Both paths follow the Cloud Functions HTTP contract. FUNCTION_TARGET, when
// set, selects the function served at "/" for every path and method;
// otherwise event functions are served at "/{name}" and HTTP functions at
// their routes. An event function accepts binary and structured CloudEvents,
// legacy background events and Pub/Sub push envelopes (see
// polyfn/providers/gcp.DecodeRequest).
//
// Every invocation runs on polyfn's invocation runtime, as on the other
// adapters: the same invocation metadata (core.InvocationFrom; its id is the
// Function-Execution-Id header, else the trace id of X-Cloud-Trace-Context,
// else a new one), the same failure log lines, and the same answers:
//
//   - success: 200 with the reply event in binary mode when the function
//     returns one (Eventarc ignores the body of a 2xx answer; Knative and
//     Cloud Run callers can route it), 204 otherwise;
//   - a request that is not a valid event: 400 with the reason, in the JSON
//     error shape {"error","kind","invocation_id"} (the server keeps
//     serving); a body over the limit: 413;
//   - a retryable error, a panic or a deadline: 500, so that Eventarc
//     redelivers the event when the trigger has retries enabled;
//   - a permanent error (core.Permanent): 422 by default, so the failure is
//     reported, not acknowledged; configure a dead-letter topic on the
//     trigger's subscription to catch such events, or choose a 2xx code with
//     WithPermanentErrorStatus to drop them (Cloud Functions retries any
//     non-2xx answer for up to seven days when retries are enabled).
//
// Failures answer the JSON error shape; the function's error text goes to
// the log, not to the caller, unless WithErrorDetails (POLYFN_EXPOSE_ERRORS)
// asks for it. An HTTP function that panics before writing its answer gets
// 500 in the same shape, with X-Google-Status: crash. The source-deploy
// path answers exactly the same way: the handler is the same.
//
// The W3C traceparent and tracestate request headers are the invocation's
// trace context (else X-Cloud-Trace-Context's trace and span), and become
// the event's tracing extensions when it carries none of its own.
//
// Logs are JSON lines in Cloud Logging's format on standard output (see
// NewLogHandler): "severity", "message", the source location, and inside
// an invocation its function, id and event, with the trace in
// "logging.googleapis.com/trace" as projects/PROJECT/traces/TRACE. Run and
// gcf.Register install that logger as slog's default, so a function's
// slog.InfoContext(ctx, ...) lines carry all of it.
package gcp
