//go:build js && wasm

package cloudflare

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"syscall/js"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// Serve exports app's handlers (a Handler) to worker.mjs, tells it the
// program is ready, and blocks: the Worker's events run the App from then
// on. It reads the environment (the Worker's string bindings) as the local
// adapter does: POLYFN_FUNCTION, POLYFN_MAX_BODY_BYTES,
// POLYFN_MAX_BATCH_EVENTS, POLYFN_EXPOSE_ERRORS, and GOMEMLIMIT. The App's
// start hooks must have run (adapters.Run runs them). When the App cannot
// be served, Serve tells worker.mjs, which answers every request 503 (the
// JSON error shape, kind "unavailable", without the error's text, which
// goes to the Worker's log), and returns the error.
func Serve(app *core.App, logger *slog.Logger) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
	h, err := handlerFromEnv(app, logger)
	if err != nil {
		ready(err)
		return err
	}
	exports := js.Global().Get("Object").New()
	openExchange(exports, func(id int, head string, body []byte) {
		status, header, out := h.Fetch(head, body)
		answer(id, status, header, out)
	})
	exports.Set("scheduled", js.FuncOf(func(_ js.Value, args []js.Value) any {
		cron, when, resolve, reject := args[0].String(), args[1].Float(), args[2], args[3]
		go func() { // a Cron Trigger or a queue batch is rare: a goroutine of its own
			if err := h.Scheduled(context.Background(), cron, when); err != nil {
				reject.Invoke(err.Error())
				return
			}
			resolve.Invoke()
		}()
		return nil
	}))
	exports.Set("queue", js.FuncOf(func(_ js.Value, args []js.Value) any {
		batch, resolve, reject := bytesOf(args[0]), args[1], args[2]
		go func() {
			out, err := h.Queue(context.Background(), batch)
			if err != nil {
				reject.Invoke(err.Error())
				return
			}
			resolve.Invoke(toJS(out))
		}()
		return nil
	}))
	js.Global().Set("__polyfn", exports)
	ready(nil)
	select {}
}

func handlerFromEnv(app *core.App, logger *slog.Logger) (*Handler, error) {
	e, err := invoke.FromEnv()
	if err != nil {
		return nil, err
	}
	return NewHandler(app, Config{Logger: logger, Function: os.Getenv("POLYFN_FUNCTION"),
		MaxBodyBytes: e.MaxBodyBytes, MaxBatchEvents: e.MaxBatchEvents, ExposeErrors: e.ExposeErrors})
}

// ready tells worker.mjs that the program serves, or why it does not.
func ready(err error) {
	f := js.Global().Get("__polyfnReady")
	if f.Type() != js.TypeFunction {
		return
	}
	if err != nil {
		f.Invoke(err.Error())
		return
	}
	f.Invoke()
}

// bytesOf copies a Uint8Array into Go; null and undefined are nil. The copy
// happens before the exported function returns, as Workers require: a
// request's body must not be read from another request's context.
func bytesOf(v js.Value) []byte {
	if v.IsNull() || v.IsUndefined() {
		return nil
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

// toJS copies b into a new Uint8Array.
func toJS(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}
