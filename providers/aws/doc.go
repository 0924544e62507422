// Package aws translates what AWS Lambda delivers to a function into
// CloudEvents and net/http requests, and translates the function's results
// back into the response shapes Lambda expects. It is pure: it does no I/O,
// needs no Lambda runtime and never calls a function; the runtime glue
// lives in polyfn/adapters/aws. Each payload goes through two steps:
// decode (native payload → events, or an *http.Request, plus what is
// needed to report on them) and encode (per-record results → the native
// answer).
//
// # Sources
//
// A [Source] names a payload shape. [SourceOf] derives it from a function's
// trigger declaration (core.OnQueue → SQS, core.OnStream → Kinesis or,
// with the setting aws/source=dynamodb, DynamoDB Streams, ...), and
// [HTTPOptionsOf] reads the path settings of its HTTP trigger; both name
// the function and the setting when a value is not one they know.
// [Detect] picks the source of one payload among those declared, and
// [Sniff] recognises a payload by its top-level members, in one walk that
// allocates nothing, for functions that declare no trigger, several
// sources, or HTTP. Payloads of services this package does not serve (API
// Gateway authorizers, WebSocket APIs, Bedrock Agents, AppSync, ...) are
// refused with an error wrapping
// [ErrUnsupportedPayload] that names the service.
//
// # Events
//
// [Decode] turns an event payload into a [Batch]: one CloudEvent per record,
// named per polyfn's mapping table (type com.amazonaws.sqs.message, source =
// the queue ARN, id = the message id, data = the body, and the portable kind
// in the extension "polyfnkind"). A message that carries a CloudEvent (a
// structured CloudEvent body, or ce- message attributes) passes through
// unchanged. An EventBridge "Scheduled Event" gets polyfnkind
// schedule.fired. S3 notifications give the same storage events whether
// they come directly, through SQS (or SNS through SQS) or through
// EventBridge. A DynamoDB Streams deletion made by Time to Live is marked
// (extension awsddbttl). Amazon MSK and self-managed Kafka records,
// CloudWatch Logs subscriptions (directly or through Kinesis) and the user
// records of KPL aggregates each give one stream.record event. A direct
// invocation whose payload is a structured
// CloudEvent (or a JSON array of them) is decoded as such.
//
// [Batch.Options] gives the driver.RunBatch options of the source: the
// ordering key of each record, whether a failure stops the later records of
// its key, and the per-record context hook that hands a function its native
// record. [Batch.Trigger] is the kind of trigger that delivered it, and
// [Batch.Response] encodes the results: SQS batchItemFailures with every
// failed message id (FIFO: the first failure of a message group and every
// later record of that group), Kinesis and DynamoDB Streams
// batchItemFailures with the first failed sequence number, and for the
// other sources the reply as a structured CloudEvent or the error to report.
//
// # HTTP
//
// [DecodeHTTP] reads API Gateway REST (payload 1.0), HTTP API (payload 2.0),
// ALB, VPC Lattice (formats 1.0 and 2.0) and Function URL requests, the
// last four in one walk of the payload with headers read straight into an
// http.Header; [HTTPRequest.Request] builds the
// *http.Request an HTTP function sees, and [HTTPRequest.Response] turns what
// the handler wrote into a [ResponseWriter] into the matching response
// object: multi-value headers, cookies and base64 bodies in the style of
// each source. [HTTPRequest.CloudEvents] reads the events a request brings
// an event function: a CloudEvent (ce- headers or
// application/cloudevents+json), or the request itself as an event.
//
// # Native payloads
//
// The native record stays reachable from the context a function receives;
// each accessor returns it and whether there is one:
// [SQSMessageFromContext], [SNSRecordFromContext], [KinesisRecordFromContext],
// [DynamoDBRecordFromContext], [S3RecordFromContext],
// [EventBridgeEventFromContext], [KafkaRecordFromContext],
// [CloudWatchLogsFromContext], and for HTTP functions, from
// r.Context(), [APIGatewayV1RequestFromContext],
// [APIGatewayV2RequestFromContext] (HTTP API and Function URL) and
// [ALBRequestFromContext]. [TraceParent] reads the W3C trace context out
// of the X-Ray trace header Lambda gives each invocation.
//
// # Tumbling windows
//
// A Kinesis or DynamoDB Streams invocation with a tumbling window gives
// each record's context its [TumblingWindow] ([TumblingWindowFromContext]):
// the window, its state and a way to set the state Lambda passes to the
// window's next invocation. The final invocation of a window ends with an
// event of type [TypeWindowEnd], records or not.
//
// See examples/aws in the repository for a deployable function.
package aws
