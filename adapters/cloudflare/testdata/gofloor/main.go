//go:build js && wasm

// Command gofloor is the floor the performance test measures
// examples/echo against: a Go program that links net/http and answers
// worker.mjs's fetch through the same crossing as the adapter (the
// exchange of exchange_js.go), routing each request through an
// http.ServeMux to a handler that writes the body back, without polyfn.
// What examples/echo costs above it is polyfn's (and the echo's); what it
// costs above the JavaScript Worker is Go's and net/http's.
package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall/js"
	"unsafe"
)

// The exchange, as the adapter's exchange_js.go has it: the request
// buffer worker.mjs writes into, the queue polyfn_fetch fills, and the
// event goroutines waiting on it.
var (
	in           = make([]byte, 64<<10)
	queue        = make(chan [3]int32, 64)
	idle         atomic.Int32
	answer, fill js.Value
	mux          = http.NewServeMux()
)

func main() {
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		_, _ = io.Copy(w, r.Body)
	})
	answer, fill = js.Global().Get("__polyfnAnswer"), js.Global().Get("__polyfnFill")
	exports := js.Global().Get("Object").New()
	exports.Set("in", addr(in))
	exports.Set("inSize", len(in))
	js.Global().Set("__polyfn", exports)
	go eventLoop()
	js.Global().Call("__polyfnReady")
	select {}
}

//go:wasmexport polyfn_fetch
func fetch(id, headLen, bodyLen int32) bool {
	select {
	case queue <- [3]int32{id, headLen, bodyLen}:
		return true
	default:
		return false
	}
}

func eventLoop() {
	for {
		idle.Add(1)
		r := <-queue
		b := make([]byte, int(r[1])+max(int(r[2]), 0))
		if len(b) <= len(in) {
			copy(b, in)
		} else {
			fill.Invoke(addr(b))
		}
		if idle.Add(-1) == 0 {
			go eventLoop()
		}
		serve(int(r[0]), b[:r[1]], b[r[1]:])
	}
}

func serve(id int, head, body []byte) {
	method, rest, _ := strings.Cut(string(head), "\n")
	url, rest, _ := strings.Cut(rest, "\n")
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	w := httptest.NewRecorder()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
	} else {
		for _, line := range strings.Split(rest, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Header.Add(k, v)
			}
		}
		mux.ServeHTTP(w, r)
	}
	var h strings.Builder
	for k, vs := range w.Header() {
		for _, v := range vs {
			h.WriteString(k + ":" + v + "\n")
		}
	}
	header, out := h.String(), w.Body.Bytes()
	answer.Invoke(id, w.Code, uintptr(unsafe.Pointer(unsafe.StringData(header))), len(header), addr(out), len(out))
	runtime.KeepAlive(header)
	runtime.KeepAlive(out)
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
