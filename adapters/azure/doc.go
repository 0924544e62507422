// Package azure runs a polyfn App as an Azure Functions custom handler: the
// HTTP server the Functions host starts as a child process and calls on
// 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT. It keeps the host's wire only:
// every invocation goes through polyfn's invocation runtime, as on the
// other adapters, and polyfn/providers/azure translates the payloads.
//
// In envelope mode (every app that has a non-HTTP function) the host POSTs
// each invocation to /{functionName} as {"Data":…,"Metadata":…}; the
// adapter decodes it into CloudEvents, runs the function, and answers:
//
//   - success: 200, Content-Type application/json, {"Outputs":{…},
//     "Logs":[…],"ReturnValue":…}; a reply event goes to ReturnValue as a
//     structured CloudEvent (bound to a $return output if the function
//     declares one);
//   - failure (handler error or panic, a record of a batch failing, the
//     deadline): 422 for a permanent error, 500 otherwise, so the host fails
//     the invocation, retries it and finally poison-queues or dead-letters
//     it; the body is the JSON error shape {"error","kind","invocation_id"};
//   - a request the adapter cannot read, or for an unknown function: 400,
//     413 or 404, with the reason.
//
// The host drops the body and Logs of a non-2xx answer, so failures are
// also logged to standard error, which the host logs at Error level.
//
// An HTTP function, or an event function on an HTTP trigger, answers its
// caller through the http output: its whole HTTP answer (status, headers,
// body; for an event function the reply in CloudEvents binary mode, or the
// replies of a CloudEvents batch) becomes Outputs.res.
//
// Batches (Event Hubs, Kafka and Service Bus with cardinality many, Cosmos
// DB) run record by record; Azure has no partial failure, so one failed
// record fails the whole invocation and the host redelivers the whole
// batch (the streams through the retry policy the generated function.json
// holds). Each failed record is logged. A Kafka record reaches its function
// with providers/azure.KafkaRecordFromContext.
//
// When every function of the App is an HTTP function, the generated
// host.json turns on enableForwardingHttpRequest and the host forwards the
// raw requests: HTTP functions are then served at their routes.
//
// GET / answers 200 for the host's readiness probe. Invocations run
// concurrently. The adapter logs JSON lines to standard output (Error and
// above to standard error). Run installs the same handler (NewLogHandler) as
// slog's default, so that lines a function logs with log/slog's *Context
// functions also go to that invocation's Logs; a program that serves
// Handler itself installs it if it wants that. Inside an invocation the
// JSON lines name the function, the invocation, the event and its trace:
// the host sends no trace context, so the trace is the event's own
// traceparent extension, or an HTTP trigger's caller's
// (docs/observability.md).
//
// Most programs do not import this package: they call adapters.Run and
// build with -tags polyfn.azure. The function app's files come from
// polyfn/providers/azure/funcapp (polyfn build --provider azure). Package
// azuretest is a host simulator for testing a handler over real HTTP, and
// the adapter's conformance harness. See docs/azure.md.
package azure
