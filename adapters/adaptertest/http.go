package adaptertest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func do(t *testing.T, h Harness, method, target string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	r, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "text/plain")
	}
	resp, err := h.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, target, err)
	}
	return resp.StatusCode, resp.Header, b
}

func decodeAnswer(t *testing.T, b []byte) webAnswer {
	t.Helper()
	var a webAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer %q: %v", b, err)
	}
	return a
}

// checkRoutes: HTTP functions are served at their routes, with their
// invocation, path wildcards and HTTP middleware in order.
func checkRoutes(t *testing.T, _ *recorder, h Harness) {
	code, hdr, b := do(t, h, "GET", "/web/a/b?x=1&y=two", nil)
	if code != 200 {
		t.Fatalf("GET /web/a/b: %d %s", code, b)
	}
	a := decodeAnswer(t, b)
	want := webAnswer{Function: fnWeb, Provider: h.Features().Provider, HasID: true, Method: "GET", Path: "/web/a/b", Query: "x=1&y=two"}
	if a != want {
		t.Errorf("GET /web/a/b: the function saw %+v, want %+v", a, want)
	}
	if got := strings.Join(hdr.Values("X-Trace"), ","); got != "outer,inner" {
		t.Errorf("HTTP middleware order %q, want outer,inner", got)
	}
	code, _, b = do(t, h, "POST", "/web/echo", []byte("hello, polyfn"))
	if a := decodeAnswer(t, b); code != 200 || a.Method != "POST" || a.Body != "hello, polyfn" {
		t.Errorf("POST /web/echo: %d %+v", code, a)
	}
	code, _, b = do(t, h, "GET", "/items/42", nil)
	if a := decodeAnswer(t, b); code != 200 || a.Function != fnItem || a.ItemID != "42" {
		t.Errorf("GET /items/42: %d %+v (want function item and path value id 42)", code, a)
	}
}

// checkHTTPPanic: a panicking HTTP function answers 500, and the adapter
// serves on.
func checkHTTPPanic(t *testing.T, _ *recorder, h Harness) {
	if code, _, b := do(t, h, "GET", "/web/panic", nil); code != http.StatusInternalServerError {
		t.Errorf("a panicking HTTP function answered %d %s, want 500", code, b)
	}
	if code, _, b := do(t, h, "GET", "/web/after", nil); code != 200 {
		t.Errorf("after a panic: %d %s", code, b)
	}
}

// checkBodyLimit: HTTP requests over the limit are refused with 413 before
// a function runs, and so are events where the adapter reads them from a
// request body.
func checkBodyLimit(t *testing.T, rec *recorder, h Harness) {
	big := bytes.Repeat([]byte("x"), 8192)
	if code, _, b := do(t, h, "POST", "/web/echo", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an 8 KiB body over a 4 KiB limit: %d %s, want 413", code, b)
	}
	if code, _, b := do(t, h, "POST", "/web/echo", big[:1024]); code != 200 {
		t.Errorf("a 1 KiB body under the limit: %d %s", code, b)
	}
	if !h.Features().EventBodyLimit {
		return // the platform bounds its payloads itself
	}
	e := newEvent("big", order{})
	e.DataEncoded = append([]byte(`{"pad":"`), append(big, `"}`...)...)
	if d := deliver(t, h, fnEvents, e); d.OK {
		t.Error("an event over the limit: the platform counts it as handled")
	}
	if _, ran := rec.get("big"); ran {
		t.Error("an event over the limit reached the function")
	}
}
