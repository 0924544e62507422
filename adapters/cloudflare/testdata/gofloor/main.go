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
	"strings"
	"syscall/js"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		_, _ = io.Copy(w, r.Body)
	})
	u8 := js.Global().Get("Uint8Array")
	in, out, answer := u8.New(64<<10), u8.New(64<<10), js.Global().Get("__polyfnAnswer")
	exports := js.Global().Get("Object").New()
	exports.Set("in", in)
	exports.Set("out", out)
	exports.Set("fetch", js.FuncOf(func(_ js.Value, args []js.Value) any {
		id, headLen, bodyLen := args[0].Int(), args[1].Int(), args[2].Int()
		src := in
		if len(args) > 3 {
			src = args[3]
		}
		b := make([]byte, headLen+max(bodyLen, 0))
		js.CopyBytesToGo(b, src)
		go func() {
			method, rest, _ := strings.Cut(string(b[:headLen]), "\n")
			url, rest, _ := strings.Cut(rest, "\n")
			r, err := http.NewRequest(method, url, bytes.NewReader(b[headLen:]))
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
			var head strings.Builder
			for k, vs := range w.Header() {
				for _, v := range vs {
					head.WriteString(k + ":" + v + "\n")
				}
			}
			a := append([]byte(head.String()), w.Body.Bytes()...)
			if len(a) > out.Length() {
				big := u8.New(len(a))
				js.CopyBytesToJS(big, a)
				answer.Invoke(id, w.Code, head.Len(), w.Body.Len(), big)
				return
			}
			js.CopyBytesToJS(out, a)
			answer.Invoke(id, w.Code, head.Len(), w.Body.Len())
		}()
		return nil
	}))
	js.Global().Set("__polyfn", exports)
	js.Global().Call("__polyfnReady")
	select {}
}
