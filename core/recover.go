package core

import (
	"context"
	"net/http"
	"runtime/debug"
)

// recoverEvent turns a panic in fn into a *PanicError result.
func recoverEvent(fn EventFunc) EventFunc {
	return func(ctx context.Context, e Event) (reply *Event, err error) {
		defer func() {
			if v := recover(); v != nil {
				reply, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return fn(ctx, e)
	}
}

// recoverHTTP answers 500 when h panics, unless h already began its answer.
// http.ErrAbortHandler is re-raised, as net/http expects.
func recoverHTTP(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &wroteHeader{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			if hook, ok := r.Context().Value(httpPanicKey{}).(func(*PanicError)); ok {
				hook(&PanicError{Value: v, Stack: debug.Stack()})
			}
			if !rw.wrote {
				http.Error(w, `{"error":"internal error: the function panicked"}`, http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(rw, r)
	})
}

type httpPanicKey struct{}

// WithHTTPPanicHook returns a copy of ctx that makes an HTTP function's panic
// recovery call hook with the panic, so adapters can log it. Adapters call it;
// functions do not need it.
func WithHTTPPanicHook(ctx context.Context, hook func(*PanicError)) context.Context {
	return context.WithValue(ctx, httpPanicKey{}, hook)
}

// wroteHeader records whether the handler began its answer.
type wroteHeader struct {
	http.ResponseWriter
	wrote bool
}

func (w *wroteHeader) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *wroteHeader) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *wroteHeader) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends buffered data to the client when the underlying writer can.
func (w *wroteHeader) Flush() {
	w.wrote = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}
