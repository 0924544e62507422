// Package aws translates what AWS Lambda delivers to a function into
// CloudEvents and net/http requests, and translates the function's results
// back into the response shapes Lambda expects. It is pure: it does no I/O
// and needs no Lambda runtime; the runtime glue lives in
// polyfn/adapters/aws.
//
// # Sources
//
// A [Source] names a payload shape. [SourceOf] derives it from a function's
// trigger declaration (core.OnQueue → SQS, core.OnStream → Kinesis or,
// with the setting aws/source=dynamodb, DynamoDB Streams, ...); [Sniff]
// recognises a payload by its keys and is only the fallback for functions
// that declare no trigger.
//
// # Events
//
// [Decode] turns an event payload into a [Batch]: one CloudEvent per record,
// named per polyfn's mapping table (type com.amazonaws.sqs.message, source =
// the queue ARN, id = the message id, data = the body, and the portable kind
// in the extension "polyfnkind"). A message that carries a CloudEvent (a
// structured CloudEvent body, or ce- message attributes) passes through
// unchanged. An EventBridge "Scheduled Event" gets polyfnkind
// schedule.fired. A direct invocation whose payload is a structured
// CloudEvent (or a JSON array of them) is decoded as such.
//
// [Batch.Run] runs a function over the records with driver.RunBatch and the
// ordering rules of the source ([Batch.Options]), each call's context
// carrying its native record, and [Batch.Response] renders the result: SQS batchItemFailures with every
// failed message id (FIFO: the first failure of a message group and every
// later record of that group), Kinesis and DynamoDB Streams
// batchItemFailures with the first failed sequence number.
//
// # HTTP
//
// [DecodeHTTP] reads API Gateway REST (payload 1.0), HTTP API (payload 2.0),
// ALB and Function URL requests; [HTTPRequest.Request] builds the
// *http.Request an HTTP function sees, and [HTTPRequest.Response] turns what
// the handler wrote into a [ResponseWriter] into the matching response
// object: multi-value headers, cookies and base64 bodies in the style of
// each source. [HTTPRequest.CloudEvents] reads a request that is a
// CloudEvent (ce- headers or application/cloudevents+json) for an event
// function.
//
// # Native payloads
//
// The native record stays reachable from the context a function receives:
// [SQSMessageFromContext], [SNSRecordFromContext], [KinesisRecordFromContext],
// [DynamoDBRecordFromContext], [S3RecordFromContext],
// [EventBridgeEventFromContext], and for HTTP functions, from
// r.Context(), [APIGatewayV1RequestFromContext],
// [APIGatewayV2RequestFromContext] (HTTP API and Function URL) and
// [ALBRequestFromContext].
//
// See examples/aws in the repository for a deployable function.
package aws
