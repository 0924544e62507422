// Package azure translates between the Azure Functions custom-handler wire
// protocol and CloudEvents, in two steps: decode an invocation request into
// events, and encode the events' results into the host's answer. It also
// maps an App's trigger declarations to Azure bindings and retry policies
// ([TriggerBinding], [RetryOf]); package funcapp writes the function app
// files (host.json, function.json, the app settings) from them.
//
// The package is pure: it starts no process, opens no socket, reads no
// environment variable and calls no user code. The adapter in
// polyfn/adapters/azure runs an App inside the Functions host with it; the
// host simulator in polyfn/adapters/azure/azuretest builds requests the way
// the host does.
//
// # Decode
//
// In envelope mode the host POSTs {"Data": {...}, "Metadata": {...}} to
// /{functionName}. [ParseRequest] reads it and [Decode] turns it into the
// CloudEvents the function receives, one per record (an [Invocation]),
// handling the host's encoding quirks: payload strings encoded twice
// ("\"hello\""), numbers and booleans sent as strings ("1"), arrays sent as
// JSON text ("[59,60]"), byte arrays as base64, and UTC dates without a zone
// ("2023-10-12T20:13:49"). Base64 is decided by the binding's dataType,
// never guessed. [SourceOf] says which binding a function's invocations
// carry, from its declaration; [SourceFromConfig] from a function.json.
//
// Every synthesized event carries the extension polyfnkind; an event that
// already is a CloudEvent (Event Grid CloudEvents schema, a message holding
// a structured CloudEvent or cloudEvents: application properties, an HTTP
// request in CloudEvents binary or structured mode, a Kafka record in the
// CloudEvents Kafka binding) passes through. A function reaches the raw
// request with [RequestFromContext], and a Kafka trigger's record (topic,
// partition, offset, key, headers) with [KafkaRecordFromContext].
//
// # Encode
//
// [Response] is the {"Outputs", "Logs", "ReturnValue"} answer.
// [Invocation.Response] builds it from the records' results: the replies
// in ReturnValue, or the error that fails the whole invocation (Azure has
// no partial failure: a failed record of a batch fails the batch, see
// [BatchError]). Reply events travel as JSON objects, never as bare
// strings, so the host's base64 trap (a string output that happens to be
// valid base64 is written as the decoded bytes) cannot corrupt them.
// [Source.HTTPResponse] carries an HTTP answer in the function's http
// output binding.
package azure
