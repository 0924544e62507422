// Package azure translates between the Azure Functions custom-handler wire
// protocol and CloudEvents, and generates the function app manifests
// (host.json and one function.json per function) from a core.App.
//
// The package is pure: it starts no process, opens no socket and reads no
// environment variable. The adapter in polyfn/adapters/azure runs an App
// inside the Functions host with it; the host simulator in
// polyfn/adapters/azure/azuretest builds requests the way the host does.
//
// # Requests
//
// In envelope mode the host POSTs {"Data": {...}, "Metadata": {...}} to
// /{functionName}. [ParseRequest] reads it and [Decode] turns it into the
// CloudEvents the function receives, one per record, handling the host's
// encoding quirks: payload strings encoded twice ("\"hello\""), numbers and
// booleans sent as strings ("1"), arrays sent as JSON text ("[59,60]"),
// byte arrays as base64, and UTC dates without a zone
// ("2023-10-12T20:13:49"). Base64 is decided by the binding's dataType,
// never guessed.
//
// Every synthesized event carries the extension polyfnkind; an event that
// already is a CloudEvent (Event Grid CloudEvents schema, a message holding
// a structured CloudEvent or cloudEvents: application properties, an HTTP
// request in CloudEvents binary or structured mode) passes through.
//
// # Responses
//
// [Response] is the {"Outputs", "Logs", "ReturnValue"} answer. Reply events
// travel as JSON objects, never as bare strings, so the host's base64 trap
// (a string output that happens to be valid base64 is written as the decoded
// bytes) cannot corrupt them. [HTTPOutput] builds the "res" output of an HTTP
// function.
//
// # Manifests
//
// [Files] returns host.json, local.settings.json and one
// {function}/function.json per function, derived from the App's trigger
// declarations. See docs/azure.md in the repository for the mapping.
package azure
