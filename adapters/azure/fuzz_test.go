package azure_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
)

// FuzzHandler sends arbitrary invocation bodies to a handler with one
// function of each kind: whatever the body, the answer is a status the
// host understands, with Content-Type application/json and a JSON body,
// and the handler does not panic.
func FuzzHandler(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "requests", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("echo", b)
	}
	f.Add("web", []byte(`{"Data":{"req":{"Url":"http://x/y","Method":"GET"}}}`))
	f.Add("nosuch", []byte(`{}`))
	app := core.NewApp()
	_ = app.Event("echo", func(_ context.Context, e core.Event) (*core.Event, error) { return &e, nil })
	_ = app.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	h, err := azure.Handler(app, azure.WithMaxBodyBytes(1<<16))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, fn string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/echo", bytes.NewReader(body))
		r.URL.Path = "/" + fn
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q for %q", ct, body)
		}
		switch w.Code {
		case 200, 400, 404, 413, 422, 500:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %s", w.Body.Bytes())
		}
		if w.Code == 200 {
			if res := azuretest.Check(w.Code, w.Header(), w.Body.Bytes()); res.Failed {
				t.Fatalf("the host would reject a success: %s", res.Reason)
			}
		}
	})
}

// FuzzCheck runs the simulator's answer checks on arbitrary answers.
func FuzzCheck(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"Outputs":{"res":{"statusCode":"201","headers":{"a":"b"},"body":{"x":1}}},"Logs":["l"],"ReturnValue":"dGVzdA=="}`))
	f.Add(500, "text/plain", []byte(`oops`))
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		res := azuretest.Check(status, http.Header{"Content-Type": {ct}}, body)
		if !res.Failed {
			_, _ = res.HTTP()
			for _, v := range res.Outputs {
				azuretest.Written(v)
			}
		}
	})
}
