// Package driver is for the code that runs a polyfn App, not for the
// functions it holds: adapters attach invocations and run batches with it,
// providers tag the events they synthesize and register transport
// envelopes, and build tools rebuild an App's declarations from its spec.
//
// Application code should use package core.
package driver
