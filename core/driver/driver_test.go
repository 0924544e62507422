package driver_test

import (
	"context"
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
