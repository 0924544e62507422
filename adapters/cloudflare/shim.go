package cloudflare

import _ "embed"

// WorkerModule is worker.mjs, the Worker's main module: the fixed ES-module
// shim that starts the Go program (app.wasm, run by the Go toolchain's
// wasm_exec.js) on an isolate's first event and hands it fetch, scheduled
// and queue events. polyfn build --provider cloudflare writes it beside the
// wasm.
//
//go:embed worker.mjs
var WorkerModule []byte
