// Package polyfntest is the test kit for an App's own tests: it builds
// what each adapter hands a function for a portable trigger (queue and
// topic messages, a schedule, a stream batch, a storage object, an HTTP
// request) and runs the function on it through the invocation runtime
// every adapter uses, then checks each record's outcome.
//
// The kit does not reimplement the clouds: it builds the native payload
// each platform sends (an SQS batch, an Azure Functions host invocation,
// the CloudEvent Eventarc posts) and decodes it with that provider's own
// decoder, as the adapter does, so that a test sees the events, the
// ordering keys and the native accessors (aws.SQSMessageFromContext,
// azure.RequestFromContext) of the real adapter. Its own tests check that
// against the adapters.
//
// A test picks a provider, builds a delivery and checks what each record
// did:
//
//	func TestFulfil(t *testing.T) {
//		app := newApp()
//		polyfntest.Start(t, app, map[string]string{"SHOP_API_KEY": "k"})
//		for _, p := range polyfntest.Providers {
//			t.Run(string(p), func(t *testing.T) {
//				kit := polyfntest.New(t, app, p)
//				kit.Run(kit.Queue("fulfil", polyfntest.Msg(`{"id":"o1"}`), polyfntest.Msg(`{"id":""}`))).
//					Expect(polyfntest.OK, polyfntest.Permanent)
//			})
//		}
//	}
//
// A delivery holds one or more invocations, as the platform makes them: an
// SQS batch is one invocation, Azure Queue Storage messages come one per
// invocation. Result.Expect checks the records in the order given. What
// differs between clouds shows: Google delivers queues and streams through
// Pub/Sub (a topic.message event, one message per invocation), a Kinesis
// batch skips everything after a failed record while Event Hubs skips the
// rest of its partition key only, and a storage notification describes
// the object rather than carrying it.
//
// The Lambda and Azure payloads are those polyfn invoke sends a function
// under each provider's wire protocol, so a test and a manual invocation
// tell the same story.
package polyfntest
