// Package azure runs a polyfn App as an Azure Functions custom handler: the
// HTTP server the Functions host starts as a child process and calls on
// 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT.
//
// In envelope mode (every app that has a non-HTTP function) the host POSTs
// each invocation to /{functionName} as {"Data":…,"Metadata":…}; the
// adapter decodes it with polyfn/providers/azure into CloudEvents, runs the
// function, and answers:
//
//   - success: 200, Content-Type application/json, {"Outputs":{…},
//     "Logs":[…],"ReturnValue":…}; a reply event goes to ReturnValue as a
//     structured CloudEvent (bound to a $return output if the function
//     declares one), or to Outputs.res for an HTTP trigger;
//   - failure (handler error or panic, a record of a batch failing, a
//     request the adapter cannot read, an unknown function): a non-2xx
//     status so the host fails the invocation, retries it and finally
//     poison-queues or dead-letters it. The host drops the body and Logs of
//     such an answer, so the error is also written to standard error, which
//     the host logs at Error level.
//
// Batches (Event Hubs and Service Bus with cardinality many, Cosmos DB) run
// record by record; Azure has no partial failure, so one failed record fails
// the whole invocation and the host redelivers the whole batch. Each
// record's outcome is logged.
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
// Handler itself installs it if it wants that.
//
// Most programs do not import this package: they call adapters.Run and
// build with -tags polyfn.azure. Package azuretest is a host simulator for
// testing a handler over real HTTP. See docs/azure.md.
package azure
