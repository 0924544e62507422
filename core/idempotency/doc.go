// Package idempotency runs each event once: a middleware that records every
// event it runs in a [Store], so that a redelivered event gets the reply of
// the first run instead of running again.
//
// Every trigger polyfn serves delivers at least once (SQS, SNS,
// EventBridge, Kinesis, Service Bus, Event Hubs, Pub/Sub push, Eventarc),
// so a function that charges a card or sends a mail needs it:
//
//	store := idempotency.NewMemoryStore()
//	app.Use(idempotency.New(store, idempotency.WithTTL(24*time.Hour)))
//
// The middleware wraps a [core.EventFunc], so it works per record in
// batches (the runtime calls the function once per record) and on every
// adapter.
//
// For each event it:
//
//  1. computes the key: the event's source and id by default (CloudEvents
//     producers keep them unique per event), or what a [KeyFunc] returns,
//     prefixed with the function's name so that two functions fed by one
//     topic keep apart;
//  2. claims the key in the store with a conditional write, as an
//     in-progress record whose lock lapses at the invocation's deadline (or
//     after [WithLockTimeout] when the context has none), so that a crashed
//     run blocks redelivery only until then;
//  3. if a live record already holds the key: a completed record's reply is
//     returned without running the function; an in-progress one fails the
//     event with a retryable error wrapping [ErrInProgress], so that the
//     platform retries it later; a record with a different payload hash
//     fails it with a permanent error wrapping [ErrPayloadMismatch] (see
//     [WithPayloadCheck]);
//  4. runs the function: on success the record becomes completed with the
//     reply, until the TTL ([WithTTL]) lapses; on failure (or panic) the
//     record is deleted, so that the redelivery runs.
//
// A store error fails the event with a retryable error: the function never
// runs unprotected. Only the holder of a claim (a random token) can
// complete or release it, so a run whose lock lapsed and was taken over
// cannot overwrite the new owner's record.
//
// What it does not guarantee: the side effects of a run that crashes (or
// outlives its lock) midway are not undone, and the redelivery runs the
// function again. Make external calls idempotent too where it matters (an
// idempotency key on a payment API, for example).
//
// [NewMemoryStore] keeps records in the process. Package
// github.com/polyfn/polyfn/core/idempotency/docstore (only programs that
// import it link the Go CDK and a cloud SDK)
// stores them in DynamoDB, Firestore or MongoDB through gocloud.dev/docstore.
// Package idempotencytest holds the conformance suite every Store passes.
package idempotency
