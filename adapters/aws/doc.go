// Package aws runs a polyfn App on AWS Lambda, on aws-lambda-go's runtime
// loop (lambda.StartWithOptions) through its raw-bytes handler path: one
// JSON decode per invocation, no reflection. The translation between Lambda
// payloads and CloudEvents or net/http lives in polyfn/providers/aws. Every
// invocation runs through polyfn's invocation runtime, as on the other
// platforms: the same invocation metadata, outcomes, log lines and HTTP
// answers.
//
// A Lambda function serves one function of the App, chosen by WithFunction,
// else the POLYFN_FUNCTION environment variable, else the _HANDLER variable
// (the function's Handler setting) when it names a function; an App with a
// single function needs none of them.
//
// # Payload sources
//
// The payload shape comes from the function's trigger declaration:
// core.OnQueue → SQS, core.OnTopic → SNS, core.OnSchedule and core.OnEvent
// → EventBridge, core.OnStream → Kinesis (DynamoDB Streams with the
// setting aws/source=dynamodb or a DynamoDB stream ARN; Amazon MSK or
// self-managed Kafka and CloudWatch Logs subscriptions are taken too),
// core.OnStorage → S3 (directly, or through SQS or EventBridge),
// core.OnHTTP with the setting aws/integration = rest | http | alb | url |
// lattice. A function that declares nothing that fixes the shape (no
// trigger, or several sources) and every HTTP payload are sniffed
// (providers/aws.Sniff: one walk of the top-level members, no allocation);
// a payload of a service polyfn does not serve (an API Gateway authorizer,
// a WebSocket API, a Bedrock Agent, a tumbling window, ...) fails with
// Polyfn.UnsupportedPayload naming it.
// Every event function also accepts a direct invocation whose payload is a
// structured CloudEvent, or a JSON array of them.
//
// # Results
//
//   - HTTP function: the response in the shape of the request's source
//     (API Gateway REST or HTTP API, ALB, VPC Lattice, Function URL). A
//     panic is a 500 response in the JSON error shape, never a Lambda
//     error (API Gateway would turn that into 502); a body over the limit
//     (WithMaxBodyBytes) is 413.
//   - Event function, HTTP request: a request that is a CloudEvent is
//     handled; the reply comes back in binary mode (200), no reply is 204,
//     a failure 422 (permanent) or 500 with
//     {"error","kind","invocation_id"}, an invalid CloudEvent 400. A
//     CloudEvents batch gets a JSON array of the replies, or the error shape
//     listing the failed events under "failed". The error text stays in the
//     log unless WithErrorDetails is on. Any other request is delivered as a
//     com.amazonaws.apigateway.request event.
//   - SQS, Kinesis, DynamoDB Streams: the batchItemFailures response; reply
//     events are dropped. The event source mapping must enable
//     ReportBatchItemFailures.
//   - Kafka, CloudWatch Logs: a failed record fails the invocation, and
//     Lambda retries the batch.
//   - Direct invocation, EventBridge, SNS, S3: the reply as a structured
//     CloudEvent (null when there is none); a failure is a function error.
//
// Function errors carry a meaningful errorType (providers/aws.ErrorType):
// Polyfn.InvalidPayload, Polyfn.HandlerError, Polyfn.Panic, Polyfn.Timeout,
// ... never errorString.
//
// # Deadlines, concurrency, shutdown
//
// The handler's context carries the invocation deadline minus a reserve
// (WithDeadlineReserve, 100 ms by default), so that the adapter can still
// report a timed-out record as failed before Lambda stops the process; a
// shorter core.WithTimeout applies too. core.InvocationFrom gives the
// Lambda request id, and the trace context of the X-Ray trace header (or
// of an HTTP request's traceparent header) as TraceParent.
// The Handler keeps no per-invocation state outside the call: it is safe
// when Lambda Managed Instances run several invocations at once
// (AWS_LAMBDA_MAX_CONCURRENCY > 1); trace ids are read from the context.
// When the App has stop hooks or Start has WithShutdownHook functions,
// Start enables SIGTERM delivery and runs them on it, to flush telemetry;
// otherwise it registers nothing, and the cold start makes no request to
// the Extensions API.
//
// Most programs do not import this package: they call adapters.Run and
// build with -tags polyfn.aws,lambda.norpc.
package aws
