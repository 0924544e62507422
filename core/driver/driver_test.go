package driver_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func TestWithInvocation(t *testing.T) {
	inv := &core.Invocation{Function: "f", ID: "id-1", Provider: "aws", Trigger: core.TriggerQueue, ColdStart: true, TraceParent: "00-abc"}
	ctx := driver.WithInvocation(context.Background(), inv)
	inv.ID = "changed" // the context holds a copy
	got := core.InvocationFrom(ctx)
	if got.Function != "f" || got.ID != "id-1" || got.Provider != "aws" || !got.ColdStart || got.Trigger != core.TriggerQueue || got.TraceParent != "00-abc" {
		t.Fatalf("InvocationFrom = %+v", got)
	}
	type other struct{}
	ctx = context.WithValue(ctx, other{}, 1)
	if core.InvocationFrom(ctx).ID != "id-1" || ctx.Value(other{}) != 1 {
		t.Fatal("values around the invocation are lost")
	}
}

func TestSetKind(t *testing.T) {
	e := core.NewEvent("1", "/test", "com.example.test", "", nil)
	if core.EventKindOf(e) != "" {
		t.Fatal("fresh event has a kind")
	}
	driver.SetKind(&e, core.KindScheduleFired)
	if core.EventKindOf(e) != core.KindScheduleFired || e.Extensions()["polyfnkind"] != "schedule.fired" {
		t.Fatalf("kind = %q", core.EventKindOf(e))
	}
	driver.SetKind(&e, "")
	if core.EventKindOf(e) != "" {
		t.Fatal(`SetKind("") must remove the kind`)
	}
}

func TestRegisterPayload(t *testing.T) {
	const typ = "com.example.envelope.test"
	driver.RegisterPayload(typ, func(e core.Event) ([]byte, string, error) {
		inner, ok := strings.CutPrefix(string(e.Data()), "wrapped:")
		if !ok {
			return nil, "", core.Permanentf("not an envelope")
		}
		return []byte(inner), "application/json", nil
	})
	type order struct{ ID string }
	e := core.NewEvent("1", "/test", typ, "text/plain", []byte(`wrapped:{"ID":"o-1"}`))
	o, err := core.Decode[order](e)
	if err != nil || o.ID != "o-1" {
		t.Fatalf("Decode through the envelope = %+v, %v", o, err)
	}
	e.DataEncoded = []byte("plain")
	if _, err := core.Decode[order](e); err == nil || !core.IsPermanent(err) {
		t.Fatalf("a bad envelope: %v", err)
	}
	other := core.NewEvent("2", "/test", "com.example.other", "application/json", []byte(`{"ID":"o-2"}`))
	if o, err := core.Decode[order](other); err != nil || o.ID != "o-2" {
		t.Fatalf("other types read their data: %+v, %v", o, err)
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := driver.NewID()
		if !uuidV4.MatchString(id) || seen[id] {
			t.Fatalf("NewID() = %q: want a fresh version 4 UUID", id)
		}
		seen[id] = true
	}
}

// An invocation the platform gave no id gets a fresh one, in the context's
// own allocation, that stays as it is.
func TestWithInvocationNewID(t *testing.T) {
	ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: "f"})
	id := core.InvocationFrom(ctx).ID
	if !uuidV4.MatchString(id) {
		t.Fatalf("ID = %q: want a version 4 UUID", id)
	}
	other := core.InvocationFrom(driver.WithInvocation(context.Background(), &core.Invocation{Function: "f"})).ID
	if other == id || core.InvocationFrom(ctx).ID != id {
		t.Fatalf("IDs %q then %q, and %q again", id, other, core.InvocationFrom(ctx).ID)
	}
	if n := testing.AllocsPerRun(100, func() {
		_ = driver.WithInvocation(context.Background(), &core.Invocation{Function: "f"})
	}); n != 1 {
		t.Errorf("WithInvocation allocates %v times, want 1", n)
	}
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if len(driver.NewID()) != 36 {
			b.Fatal("bad id")
		}
	}
}
