package localbus

import (
	"context"
	"errors"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestPendingThenAttach: what is published before a deliverer attaches
// waits, up to MaxPending, and is handed over, in order, when one does; a
// second deliverer is refused; after detaching, messages wait again.
func TestPendingThenAttach(t *testing.T) {
	ctx := context.Background()
	app := core.NewApp()
	q := core.Queue("q")
	for _, id := range []string{"a", "b"} {
		if err := Publish(ctx, app, q, core.NewEvent(id, "/s", "t", "", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if n := Pending(app); n != 2 {
		t.Fatalf("Pending = %d, want 2", n)
	}
	var got []string
	detach, err := Attach(app, func(_ context.Context, r core.Resource, e core.Event) error {
		if r.Name != "q" {
			t.Errorf("resource %s", r)
		}
		got = append(got, e.ID())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Publish(ctx, app, q, core.NewEvent("c", "/s", "t", "", nil)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" || Pending(app) != 0 {
		t.Errorf("delivered %v, %d pending; want [a b c], 0", got, Pending(app))
	}
	if _, err := Attach(app, func(context.Context, core.Resource, core.Event) error { return nil }); err == nil {
		t.Error("a second deliverer was attached")
	}
	detach()
	if err := Publish(ctx, app, q, core.NewEvent("d", "/s", "t", "", nil)); err != nil || Pending(app) != 1 {
		t.Errorf("after detach: %v, %d pending; want the message kept", err, Pending(app))
	}
}

// TestFull: past MaxPending waiting messages, Publish fails with ErrFull;
// a deliverer's refusal of a waiting message is Attach's error.
func TestFull(t *testing.T) {
	ctx := context.Background()
	app := core.NewApp()
	e := core.NewEvent("x", "/s", "t", "", nil)
	for range MaxPending {
		if err := Publish(ctx, app, core.Topic("t"), e); err != nil {
			t.Fatal(err)
		}
	}
	if err := Publish(ctx, app, core.Topic("t"), e); !errors.Is(err, ErrFull) {
		t.Fatalf("Publish past MaxPending: %v, want ErrFull", err)
	}
	refuse := errors.New("no consumer")
	detach, err := Attach(app, func(context.Context, core.Resource, core.Event) error { return refuse })
	if !errors.Is(err, refuse) || detach == nil {
		t.Errorf("Attach: %v; want the deliverer attached and its refusal returned", err)
	}
}
