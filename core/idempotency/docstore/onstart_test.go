package docstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
)

// TestOnStart: the store fails before the App starts, opens what the
// environment names when it starts (memory when nothing is set), and runs
// each event once from then on.
func TestOnStart(t *testing.T) {
	for _, tc := range []struct{ name, url string }{{"unset: memory", ""}, {"memdocstore", "mem://onstart/id"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(docstore.EnvURL, tc.url)
			t.Setenv(idempotency.Table.EnvVar(), "")
			ctx := context.Background()
			app := core.NewApp()
			store := docstore.OnStart(app)
			rec := &idempotency.Record{Key: "k", Status: idempotency.StatusInProgress, Token: "t",
				LockExpires: time.Now().Add(time.Minute), Expires: time.Now().Add(time.Hour)}
			if _, err := store.Claim(ctx, rec, time.Now()); !errors.Is(err, docstore.ErrNotStarted) {
				t.Fatalf("Claim before start: %v, want ErrNotStarted", err)
			}
			runs := 0
			handle := idempotency.New(store)(func(context.Context, core.Event) (*core.Event, error) {
				runs++
				return nil, nil
			})
			if err := app.Start(ctx, func(string) (string, bool) { return "", false }); err != nil {
				t.Fatal(err)
			}
			e := core.NewEvent("e-1", "/orders", "com.example.order", "application/json", []byte(`{}`))
			for range 3 {
				if _, err := handle(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			if runs != 1 {
				t.Errorf("%d runs of one event, want 1", runs)
			}
			if err := app.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
	t.Run("bad URL", func(t *testing.T) {
		t.Setenv(docstore.EnvURL, "nosuch://x")
		app := core.NewApp()
		docstore.OnStart(app)
		if err := app.Start(context.Background(), func(string) (string, bool) { return "", false }); err == nil {
			t.Error("start with a bad URL succeeded")
		}
	})
}
