// Package cloudflare translates what Cloudflare Workers deliver to a
// function into CloudEvents, and writes the Worker's manifests, without
// I/O: it is pure and table-tested, and the runtime glue (the Go program
// built with GOOS=js GOARCH=wasm, and the worker.mjs shim) lives in
// polyfn/adapters/cloudflare.
//
// Three Worker handlers reach an App:
//
//   - fetch serves HTTP functions and CloudEvents over HTTP exactly as the
//     local adapter does; there is nothing to translate;
//   - scheduled (Cron Triggers) becomes one event of kind
//     core.KindScheduleFired for each function whose schedule has that
//     cron ([ScheduleEvent]);
//   - queue becomes a batch of core.KindQueueMessage events for the
//     function consuming that queue ([DecodeQueue]); the per-record
//     outcomes become one ack or retry per message ([EncodeQueue]).
//
// [Wrangler] writes wrangler.jsonc for `wrangler deploy` (routes, Cron
// Triggers, queue consumers, declared settings) and [Workerd] the
// workerd.capnp that serves the same Worker locally.
package cloudflare
