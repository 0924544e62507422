// Command echo is polyfn's reference function: the project's tests build it
// for every provider and check, through POLYFN_ECHO_FILE, the exact
// CloudEvent each provider delivered.
//
// Event function "echo" replies with an event of type polyfn.echo.reply,
// source polyfn/examples/echo, whose JSON data is the received event in the
// CloudEvents JSON format. When POLYFN_ECHO_FILE is set it also appends that
// JSON, one line per event, to the file. When the received data is a JSON
// object with "fail": true it returns an error, with "panic": true it panics,
// and with "sleep_ms": N it sleeps N ms (or until the invocation is cancelled).
//
// HTTP function "http-echo" at /http-echo replies with JSON {method, path,
// query, headers, body}; a body that is not UTF-8 comes back base64 with
// "bodyEncoding": "base64". ?status=NNN sets the status; ?cookies=1 adds two
// Set-Cookie headers and a header with two values.
//
// When POLYFN_IDEMPOTENCY_URL names a store ("mem://", or
// dynamodb://TABLE?partition_key=id), each event runs once: a duplicate
// (same source and id) gets the first run's reply, and POLYFN_ECHO_FILE
// gets one line for it; see package core/idempotency.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

func main() {
	app := newApp(os.Getenv("POLYFN_ECHO_FILE"))
	if err := useIdempotency(context.Background(), app); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
	adapters.Run(app)
}

// newApp builds the echo app; echoFile, when not empty, receives one JSON
// line per event.
func newApp(echoFile string) *core.App {
	e := &echo{file: echoFile}
	app := core.NewApp()
	core.Must(app.Event("echo", e.handle))
	core.Must(app.HTTP("http-echo", http.HandlerFunc(httpEcho), core.OnHTTP("/http-echo")))
	return app
}

type echo struct {
	file string
	mu   sync.Mutex // serializes appends to file
}

// control is what the received data may ask of the echo function.
type control struct {
	Fail    bool `json:"fail"`
	Panic   bool `json:"panic"`
	SleepMS int  `json:"sleep_ms"`
}

func (x *echo) handle(ctx context.Context, e core.Event) (*core.Event, error) {
	got, err := core.MarshalEvent(e)
	if err != nil {
		return nil, fmt.Errorf("echo: encode received event: %w", err)
	}
	if x.file != "" {
		if err := x.record(got); err != nil {
			return nil, err
		}
	}
	if c, err := core.Decode[control](e); err == nil {
		switch {
		case c.Panic:
			panic("echo: panic requested by event " + e.ID())
		case c.Fail:
			return nil, fmt.Errorf("echo: failure requested by event %s", e.ID())
		case c.SleepMS > 0:
			select {
			case <-time.After(time.Duration(c.SleepMS) * time.Millisecond):
			case <-ctx.Done():
				return nil, fmt.Errorf("echo: sleep of %d ms interrupted: %w", c.SleepMS, ctx.Err())
			}
		}
	}
	reply := core.NewEvent(e.ID()+".reply", "polyfn/examples/echo", "polyfn.echo.reply", "application/json", got)
	return &reply, nil
}

func (x *echo) record(line []byte) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	f, err := os.OpenFile(x.file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("echo: POLYFN_ECHO_FILE: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	return errors.Join(werr, f.Close())
}

// httpEchoReply is what http-echo answers.
type httpEchoReply struct {
	Method       string              `json:"method"`
	Path         string              `json:"path"`
	Query        map[string][]string `json:"query"`
	Headers      map[string][]string `json:"headers"`
	Body         string              `json:"body"`
	BodyEncoding string              `json:"bodyEncoding,omitempty"`
}

func httpEcho(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	out := httpEchoReply{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Headers: r.Header, Body: string(body)}
	if !utf8.Valid(body) {
		out.Body, out.BodyEncoding = base64.StdEncoding.EncodeToString(body), "base64"
	}
	status := http.StatusOK
	if s := r.URL.Query().Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 200 || n > 599 {
			http.Error(w, fmt.Sprintf("status %q is not a number from 200 to 599", s), http.StatusBadRequest)
			return
		}
		status = n
	}
	if r.URL.Query().Get("cookies") == "1" {
		http.SetCookie(w, &http.Cookie{Name: "polyfn-a", Value: "1", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "polyfn-b", Value: "2", Path: "/", HttpOnly: true})
		w.Header().Add("X-Polyfn-Multi", "one")
		w.Header().Add("X-Polyfn-Multi", "two")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}
