// Package core is polyfn's handler contract: the one API a function is written
// against, whatever cloud runs it.
//
// An event function receives a CloudEvent ([Event], which is
// github.com/cloudevents/sdk-go/v2/event.Event) and may reply with one:
//
//	func handle(ctx context.Context, e core.Event) (*core.Event, error)
//
// An HTTP function is a plain [net/http.Handler], so any router works.
//
// An [App] holds named functions and their provider-neutral trigger
// declarations ([OnHTTP], [OnQueue], [OnTopic], [OnSchedule], [OnStream],
// [OnStorage], [OnEvent]). The adapters in polyfn/adapters run an App inside a
// cloud's runtime; the providers in polyfn/providers translate each cloud's
// native payloads to and from CloudEvents. Every synthesized event carries the
// extension "polyfnkind" with a portable [EventKind], so one handler can branch
// on meaning instead of on cloud.
//
// core imports no cloud SDK, reads no environment variables and opens no
// sockets. See the examples directory of the repository for complete programs.
package core
