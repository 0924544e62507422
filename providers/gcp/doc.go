// Package gcp translates what Google Cloud delivers to a function into
// CloudEvents, without I/O: it is pure and table-tested, and the runtime glue
// lives in polyfn/adapters/gcp.
//
// Google already speaks CloudEvents: Eventarc and Cloud Functions (2nd gen)
// deliver events such as google.cloud.pubsub.topic.v1.messagePublished in
// the CloudEvents HTTP binding. [FromCloudEvent] passes them through
// unchanged except for polyfn's additions: the portable kind in the
// extension "polyfnkind", "partitionkey" from a Pub/Sub ordering key and
// "dataref" (gs://bucket/name) for Cloud Storage. A Pub/Sub message that
// itself carries a CloudEvent (ce- attributes, or a structured event) is
// unwrapped per Google's Pub/Sub protocol binding.
//
// [DecodeRequest] reads everything the Cloud Functions HTTP contract sends an
// event function: binary and structured CloudEvents, legacy background
// events ({data, context}, converted exactly as functions-framework-go
// converts them; see [FromLegacy]) and Pub/Sub push envelopes
// ({message, subscription}; see [FromPushEnvelope]).
//
// The decoded event carries what the runtime needs of the delivery as
// CloudEvent extensions: the portable kind in "polyfnkind" (from which the
// trigger kind follows, as on every cloud), and a Pub/Sub ordering key in
// "partitionkey".
//
// There is no native answer to encode. Google delivers one event per HTTP
// request and reads only the status of the answer: a 2xx acknowledges the
// event, anything else asks for a redelivery when the trigger retries.
// The adapter's runtime writes that answer in the CloudEvents HTTP binding:
// a reply event in binary mode, 204 without one, or the JSON error shape
// with 422 (configurable) for a permanent failure and 500 for the rest.
//
// Typed helpers decode the data of Google's event types: [PubSubMessageOf]
// (with the base64 message data decoded), [StorageObjectOf],
// [FirestoreDocumentOf] (JSON encoding only: protobuf payloads fail with
// [ErrFirestoreProtobuf], which says how to switch the trigger to JSON),
// [SchedulerJobOf] and [AuditLogOf]. Portable code reads a Pub/Sub
// message's data instead: core.Decode and core.Typed see the message inside
// a messagePublished event, base64-decoded, as they see an SQS message's
// body.
//
// See examples/gcp in the repository for a deployable function.
package gcp
