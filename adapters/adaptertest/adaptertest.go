// Package adaptertest is the conformance suite of polyfn's adapters, in
// the style of go-cloud's drivertest and testing/slogtest: an adapter's
// tests hand Run a HarnessMaker that serves an App the way the adapter's
// platform would, and Run checks, on that adapter, every behaviour all
// platforms share:
//
//   - a CloudEvent's id, source, type and extensions arrive as sent, and
//     synthesized records carry the platform's message id and a portable
//     kind (polyfnkind);
//   - the invocation metadata (function, id, provider, trigger, cold start)
//     and the deadline of core.WithTimeout;
//   - permanent, retryable and panic outcomes are reported as failures, and
//     the platform can tell permanent ones where it can be told;
//   - a failed record of a batch is redelivered, alone or with the records
//     the platform redelivers with it, and never acknowledged;
//   - records with one ordering key run in order;
//   - middleware runs in order, and sees a panic as an error;
//   - HTTP routes (path wildcards included), a panicking HTTP function
//     answering 500, and the request body limit;
//   - a reply event reaches the platform where the platform carries one;
//   - where the adapter serves event functions to HTTP callers, an App's
//     event guard refuses deliveries without credentials and passes the
//     caller's principal on.
//
// The local adapter is the reference: adapters/local/localtest holds its
// harness. Each harness is also a "wire" for application tests: the same
// story told over every platform's wire format (see examples/shop).
package adaptertest

import (
	"context"
	"net/http"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// A Record is one message of a delivery of several.
type Record struct {
	// ID is the platform's message id.
	ID string
	// Key is the ordering (partition) key; empty for none.
	Key string
	// Data is the message body, JSON.
	Data []byte
}

// A Delivery is what the platform was told about one event it delivered.
type Delivery struct {
	// OK is true when the platform counts the event as handled: it will not
	// deliver it again.
	OK bool
	// Permanent is true when the platform was told that the failure is
	// permanent (where it can be told; see Features.TellsPermanent).
	Permanent bool
	// Reply is the reply event the platform received, if it got one.
	Reply *core.Event
}

// A BatchDelivery is what the platform was told about records it delivered
// in one invocation, or in a run of invocations (one per record, for
// platforms that deliver them so).
type BatchDelivery struct {
	// Redelivered holds the indexes of the records the platform will
	// deliver again, in increasing order.
	Redelivered []int
}

// Semantics says which records a platform delivers again after a failure
// in a batch.
type Semantics int

const (
	// PerRecord: the failed records, and every later record that shares an
	// ordering key with a failed one (SQS, Pub/Sub, CloudEvents batches).
	PerRecord Semantics = iota + 1
	// FromFirstFailure: every record from the first failed one on (Kinesis,
	// DynamoDB Streams).
	FromFirstFailure
	// WholeBatch: every record of an invocation in which one failed (Azure
	// Event Hubs).
	WholeBatch
)

// Features describes what a platform carries, so that Run checks only
// what the platform can show.
type Features struct {
	// Provider is the name functions see in core.Invocation.Provider.
	Provider string
	// Replies is true when a single event's reply reaches the platform.
	Replies bool
	// TellsPermanent is true when the platform is told apart a permanent
	// failure (a status, an error type).
	TellsPermanent bool
	// EventBodyLimit is true when the adapter enforces Options.MaxBodyBytes
	// on the requests that carry events (the HTTP adapters); false where
	// the platform bounds payloads itself (Lambda's 6 MB). Every adapter
	// enforces it on HTTP functions.
	EventBodyLimit bool
	// GuardsEvents is true when the adapter serves event functions to
	// HTTP callers the platform does not authenticate (the local and
	// Google adapters), and so runs the App's event guards
	// (core.App.GuardEvents) in front of them; the harness then sends
	// Options.EventHeader with every delivery.
	GuardsEvents bool
}

// A Harness serves an App as one adapter's platform does, and reports what
// the platform was told. Its methods are called from one goroutine.
type Harness interface {
	// Features describes the platform.
	Features() Features
	// Deliver sends e to the event function fn as the platform delivers one
	// CloudEvent (a CloudEvent over HTTP, a direct invocation, an Event
	// Grid or Eventarc event).
	Deliver(ctx context.Context, fn string, e core.Event) (Delivery, error)
	// DeliverRecords sends recs to the event function fn as a source of
	// trigger kind delivers them (core.TriggerQueue and
	// core.TriggerStream at least; core.TriggerTopic and
	// core.TriggerSchedule where the harness serves applications).
	DeliverRecords(ctx context.Context, fn string, trigger core.TriggerKind, recs []Record) (BatchDelivery, error)
	// Semantics says which records the platform delivers again after a
	// failure in a batch from trigger kind.
	Semantics(trigger core.TriggerKind) Semantics
	// Do sends r, whose URL holds a path and query only, to the App's HTTP
	// functions as the platform's HTTP front end does, and returns what the
	// client gets.
	Do(r *http.Request) (*http.Response, error)
}

// Options configures a harness.
type Options struct {
	// MaxBodyBytes, when positive, is the request body limit the adapter
	// should enforce.
	MaxBodyBytes int64
	// EventHeader holds headers that every delivery over HTTP carries, on
	// adapters whose Features.GuardsEvents is true: credentials for an App
	// that guards its event functions.
	EventHeader http.Header
}

// A HarnessMaker serves app on a fresh instance of one adapter: a fresh
// process as far as cold starts go. It stops what it starts with
// t.Cleanup, and fails t when it cannot start.
type HarnessMaker func(t *testing.T, app *core.App, opts Options) Harness
