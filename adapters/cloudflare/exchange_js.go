//go:build js && wasm

package cloudflare

import (
	"runtime"
	"sync/atomic"
	"syscall/js"
	"unsafe"
)

// exchangeSize is the size of the buffer in the module's memory that
// worker.mjs writes a fetch request into. A larger request is copied into
// a buffer of its own (__polyfnFill).
const exchangeSize = 64 << 10

// The exchange carries fetch requests and answers between worker.mjs and
// Go through the module's memory, so that a request makes no JavaScript
// value in Go and goes through no js.FuncOf callback: every js.Value Go
// receives gets a finalizer, and a callback reads its event, id, receiver
// and each argument, and writes its result, through a crossing each. The
// export only queues the request: it runs on whatever goroutine the
// program paused on, where the request may not run, since a handler may
// wait on I/O.
//
// worker.mjs writes the request's head ("METHOD\nURL\n" and
// "name:value\n" lines, UTF-8) and body at address in (exports.in, of
// exports.inSize bytes), calls the module's export
// polyfn_fetch(id, headLen, bodyLen), bodyLen being -1 for a request
// without a body, then resumes the program. A request that does not fit is
// kept by worker.mjs until Go calls __polyfnFill(addr), which copies it to
// addr. An event goroutine copies the request, before worker.mjs gets
// control back, and runs it. Go answers with
// __polyfnAnswer(id, status, headerAddr, headerLen, bodyAddr, bodyLen):
// the header lines and the body are in the module's memory, and worker.mjs
// copies them out before __polyfnAnswer returns.
var exchange struct {
	in           []byte
	queue        chan request // requests not yet copied: at most one between resumes
	idle         atomic.Int32 // event goroutines waiting on queue
	serve        func(id int, head string, body []byte)
	answer, fill js.Value // globalThis.__polyfnAnswer, __polyfnFill
}

// A request is polyfn_fetch's arguments.
type request struct{ id, headLen, bodyLen int32 }

// openExchange makes the request buffer and the first event goroutine,
// routes polyfn_fetch to serve, and tells worker.mjs where the buffer is
// (exports.in, exports.inSize).
func openExchange(exports js.Value, serve func(id int, head string, body []byte)) {
	exchange.in = make([]byte, exchangeSize)
	exchange.queue = make(chan request, 64)
	exchange.serve = serve
	exchange.answer = js.Global().Get("__polyfnAnswer")
	exchange.fill = js.Global().Get("__polyfnFill")
	exports.Set("in", addr(exchange.in))
	exports.Set("inSize", len(exchange.in))
	go eventLoop()
}

// fetchExport queues request id (see exchange) and reports whether it
// could. It runs on whatever goroutine the program paused on, so it must
// neither block nor allocate (an allocation may stop to assist the garbage
// collector): the event goroutine copies the request.
//
//go:wasmexport polyfn_fetch
func fetchExport(id, headLen, bodyLen int32) bool {
	select {
	case exchange.queue <- request{id, headLen, bodyLen}:
		return true
	default:
		return false
	}
}

// eventLoop is an event goroutine: it copies a queued request and runs it.
// One always waits on the queue, so that the request worker.mjs wrote is
// copied before it writes the next: when the last one takes a request, it
// starts another. They never exit, so each keeps the stack its events
// grew: a goroutine started per event grew its stack again every time, and
// copying stacks was a tenth of a warm request's time (measured under
// Node's V8).
func eventLoop() {
	for {
		exchange.idle.Add(1)
		r := <-exchange.queue
		head, body := r.copy()
		if exchange.idle.Add(-1) == 0 {
			go eventLoop() // this one may wait on I/O: the next request must not wait for it
		}
		exchange.serve(int(r.id), head, body)
	}
}

// copy copies the request out of the exchange's buffer, or has
// worker.mjs fill a buffer of its own when it did not fit.
func (r request) copy() (head string, body []byte) {
	n := int(r.headLen) + max(int(r.bodyLen), 0)
	if r.headLen < 0 || n < 0 {
		return "", nil // answered 400: the head does not parse
	}
	b := make([]byte, n)
	if n <= len(exchange.in) {
		copy(b, exchange.in)
	} else {
		exchange.fill.Invoke(addr(b))
	}
	if r.bodyLen >= 0 {
		body = b[r.headLen:n:n]
	}
	// b[:headLen] is never written again: the head shares it.
	return unsafe.String(unsafe.SliceData(b), int(r.headLen)), body
}

// answer hands request id's answer to worker.mjs, which copies the header
// lines and the body out of the module's memory before returning.
func answer(id, status int, header string, body []byte) {
	exchange.answer.Invoke(id, status, uintptr(unsafe.Pointer(unsafe.StringData(header))), len(header), addr(body), len(body))
	runtime.KeepAlive(header)
	runtime.KeepAlive(body)
}

// addr is the address of b's first byte in the module's memory (0 when b
// is empty).
func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
