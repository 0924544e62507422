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
// Typed helpers decode the data of Google's event types: [PubSubMessageOf]
// (with the base64 message data decoded), [StorageObjectOf],
// [FirestoreDocumentOf] (JSON encoding only: protobuf payloads fail with
// [ErrFirestoreProtobuf], which says how to switch the trigger to JSON),
// [SchedulerJobOf] and [AuditLogOf]. Each is also usable as
// core.Decode[gcp.MessagePublishedData] and so on.
//
// See examples/gcp in the repository for a deployable function.
package gcp
