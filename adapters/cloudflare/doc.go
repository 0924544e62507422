// Package cloudflare runs a polyfn App on Cloudflare Workers and workerd:
// the App is built with GOOS=js GOARCH=wasm and -tags polyfn.cloudflare,
// and a fixed ES-module shim ([WorkerModule], worker.mjs) starts it and hands
// it the Worker's events. polyfn build --provider cloudflare writes the
// folder wrangler deploy and workerd serve take (see providers/cloudflare
// for its manifests).
//
//   - fetch serves the App exactly as the local adapter does: HTTP
//     functions on their routes, each event function's CloudEvents
//     (binary, structured or batched) at POST /NAME, the App's only event
//     function (or POLYFN_FUNCTION's) at POST /, GET /healthz;
//   - scheduled (Cron Triggers) runs every function whose core.OnSchedule
//     cron is the controller's cron, with one core.KindScheduleFired
//     event; a failure fails the handler (Cloudflare does not retry
//     crons, and logs the failure);
//   - queue runs the function whose core.OnQueue names the batch's queue
//     on the batch (core.KindQueueMessage events) and acks each message
//     that succeeded; every failed record, permanent or not, is retried,
//     so that after the consumer's max_retries Cloudflare moves it to the
//     dead-letter queue: a failed record is never acknowledged.
//
// The Worker's string bindings (vars and secrets) are the program's
// environment, so core.App.Start reads declared settings from them and
// [Env] reads any; [KV] reaches a KV namespace binding.
//
// Differences from the other adapters: a Worker gets no invocation
// deadline, and the production clock advances only on I/O, so a
// function's core.WithTimeout cannot stop CPU-bound work: deadlines are
// advisory. Bodies are read whole (no streaming). The Go heap is kept
// under the isolate's 128 MB with a soft memory limit (GOMEMLIMIT,
// default [MemoryLimit]).
//
// This package's Go code builds for GOOS=js GOARCH=wasm only, apart from
// the embedded shim; adapters.Run picks it under the polyfn.cloudflare tag.
package cloudflare
