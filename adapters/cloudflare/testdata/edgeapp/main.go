// Command edgeapp is the Cloudflare adapter's test program: a Cron
// Trigger function, a queue consumer, and HTTP functions that read a body,
// report the program's memory, use the KV namespace CACHE and read string
// bindings.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/metrics"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/core"
)

func main() {
	app := core.NewApp()
	app.OnStart(func(context.Context, core.Config) error {
		if os.Getenv("EDGE_FAIL_START") != "" {
			return errors.New("edgeapp: start-up failure requested")
		}
		return nil
	})
	core.Must(app.Event("tick", tick, core.OnSchedule("*/5 * * * 1-5", "")))
	core.Must(app.Event("consume", consume, core.OnQueue("jobs").WithBatchSize(10)))
	core.Must(app.HTTP("body", http.HandlerFunc(body), core.OnHTTP("/body", "POST")))
	core.Must(app.HTTP("mem", http.HandlerFunc(mem), core.OnHTTP("/mem", "GET")))
	core.Must(app.HTTP("kv", http.HandlerFunc(kv), core.OnHTTP("/kv/{key}")))
	core.Must(app.HTTP("env", http.HandlerFunc(env), core.OnHTTP("/env/{name}", "GET")))
	adapters.Run(app)
}

// tick logs the event it got, so that the test sees it in workerd's output.
func tick(ctx context.Context, e core.Event) (*core.Event, error) {
	slog.InfoContext(ctx, "tick", "kind", string(core.EventKindOf(e)), "type", e.Type(), "data", string(e.Data()))
	return nil, nil
}

// consume fails a message whose data is {"fail": "permanent"} or
// {"fail": "retryable"}, and logs the others.
func consume(ctx context.Context, e core.Event) (*core.Event, error) {
	var d struct {
		Fail string `json:"fail"`
	}
	_ = json.Unmarshal(e.Data(), &d)
	switch d.Fail {
	case "permanent":
		return nil, core.Permanent(errors.New("consume: permanent failure requested"))
	case "retryable":
		return nil, errors.New("consume: failure requested")
	}
	slog.InfoContext(ctx, "consumed", "id", e.ID(), "kind", string(core.EventKindOf(e)))
	return nil, nil
}

// body answers the size of the body it read.
func body(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	fmt.Fprintf(w, `{"bytes":%d}`, n)
}

// mem answers the memory the Go runtime holds from the wasm module's
// linear memory, in bytes.
func mem(w http.ResponseWriter, _ *http.Request) {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	fmt.Fprintf(w, `{"total":%d}`, s[0].Value.Uint64())
}

// kv reads (GET), writes (PUT) and deletes (DELETE) a key of the KV
// namespace bound as CACHE.
func kv(w http.ResponseWriter, r *http.Request) {
	ns, err := cloudflare.KV("CACHE")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := r.PathValue("key")
	switch r.Method {
	case "GET":
		v, ok, err := ns.Get(r.Context(), key)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		case !ok:
			http.NotFound(w, r)
		default:
			_, _ = w.Write(v)
		}
	case "PUT":
		b, _ := io.ReadAll(r.Body)
		if err := ns.Put(r.Context(), key, b, 0); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "DELETE":
		if err := ns.Delete(r.Context(), key); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// env answers the string binding name.
func env(w http.ResponseWriter, r *http.Request) {
	v, ok := cloudflare.Env(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = io.WriteString(w, v)
}
