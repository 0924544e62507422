package trace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func TestMiddleware(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	t.Setenv(EnvVar, path)
	app := core.NewApp()
	ran := 0
	core.Must(app.Event("f", func(context.Context, core.Event) (*core.Event, error) { ran++; return nil, nil }))
	FromEnv(app)
	FromEnv(app) // twice: still one line per event
	f, _ := app.Function("f")
	fn := f.EventFunc()
	for _, id := range []string{"a", "b"} {
		e := core.NewEvent(id, "/src", "com.example.t", "application/json", []byte(`{"n": 1}`))
		if _, err := fn(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"specversion":"1.0","id":"a","source":"/src","type":"com.example.t","datacontenttype":"application/json","data":{"n":1}}
{"specversion":"1.0","id":"b","source":"/src","type":"com.example.t","datacontenttype":"application/json","data":{"n":1}}
`
	if string(b) != want || ran != 2 {
		t.Fatalf("ran %d, trace:\n%s", ran, b)
	}

	bad := Middleware(filepath.Join(t.TempDir(), "missing-dir", "x"))(func(context.Context, core.Event) (*core.Event, error) {
		t.Fatal("the function must not run when the trace cannot be written")
		return nil, nil
	})
	if _, err := bad(context.Background(), core.NewEvent("c", "/s", "t", "", nil)); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("got %v", err)
	}
}
