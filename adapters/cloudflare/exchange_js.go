//go:build js && wasm

package cloudflare

import "syscall/js"

// exchangeSize is the size of the two buffers a fetch crosses between
// worker.mjs and Go through: a request's head and body, an answer's
// header lines and body. What does not fit crosses in a buffer of its own.
const exchangeSize = 64 << 10

// An exchange carries fetch requests and answers between worker.mjs and
// Go through two Uint8Arrays made once (exports.in, exports.out) and one
// JavaScript function (globalThis.__polyfnAnswer), so that a request
// makes no JavaScript value in Go but the call's own: every js.Value Go
// receives gets a finalizer, and setting those was half the time of a
// call that did nothing else.
//
// worker.mjs calls fetch(id, headLen, bodyLen[, buf]) after writing the
// head ("METHOD\nURL\n" and "name:value\n" lines, UTF-8) and the body into
// exports.in, or into buf when they do not fit; bodyLen is -1 for a
// request without a body. Go copies them before fetch returns, and answers
// with __polyfnAnswer(id, status, headerLen, bodyLen[, buf]) after writing
// the header lines and the body into exports.out, or into buf; worker.mjs
// copies them out before __polyfnAnswer returns.
type exchange struct {
	in, out, answerFn, uint8Array js.Value
}

func newExchange(exports js.Value) *exchange {
	u8 := js.Global().Get("Uint8Array")
	x := &exchange{in: u8.New(exchangeSize), out: u8.New(exchangeSize), answerFn: js.Global().Get("__polyfnAnswer"), uint8Array: u8}
	exports.Set("in", x.in)
	exports.Set("out", x.out)
	return x
}

// request reads fetch's arguments: the request's id, head and body (nil
// for none).
func (x *exchange) request(args []js.Value) (id int, head string, body []byte) {
	id, headLen, bodyLen := args[0].Int(), args[1].Int(), args[2].Int()
	src := x.in
	if len(args) > 3 {
		src = args[3]
	}
	b := make([]byte, headLen+max(bodyLen, 0))
	js.CopyBytesToGo(b, src)
	if bodyLen >= 0 {
		body = b[headLen:]
	}
	return id, string(b[:headLen]), body
}

// answer hands request id's answer to worker.mjs.
func (x *exchange) answer(id, status int, header string, body []byte) {
	n := len(header) + len(body)
	if n > exchangeSize {
		buf := x.uint8Array.New(n)
		js.CopyBytesToJS(buf, append([]byte(header), body...))
		x.answerFn.Invoke(id, status, len(header), len(body), buf)
		return
	}
	b := make([]byte, 0, n)
	js.CopyBytesToJS(x.out, append(append(b, header...), body...))
	x.answerFn.Invoke(id, status, len(header), len(body))
}

// workers are the goroutines that run the Worker's events. An event runs
// on an idle one, or on a new one when all are busy (a handler waiting on
// I/O must not hold up the next request); they never exit, so each keeps
// the stack its events grew. A goroutine started per event grew its stack
// again every time, and copying stacks was a tenth of a warm request's
// time (measured under Node's V8).
type workers struct{ idle chan func() }

// run runs f on an idle worker, or on a new one.
func (w *workers) run(f func()) {
	select {
	case w.idle <- f:
	default:
		go func() {
			for ; f != nil; f = <-w.idle {
				f()
			}
		}()
	}
}
