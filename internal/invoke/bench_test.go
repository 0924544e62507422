package invoke

import (
	"context"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// BenchmarkBeginEvent is the runtime's own cost per event: the invocation
// context (with a generated id and a function timeout) and the call
// through middleware-free panic recovery.
func BenchmarkBeginEvent(b *testing.B) {
	fn := newFunction(b, Config{Provider: "bench"}, func(a *core.App) { core.Must(a.Event("f", nop, core.WithTimeout(1e9))) })
	e := core.NewEvent("1", "/s", "com.example.t", "application/json", []byte(`{}`))
	parent := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ctx, cancel := fn.Begin(parent, Start{})
		if r := fn.Event(ctx, e); r.Err != nil {
			b.Fatal(r.Err)
		}
		cancel()
	}
}

// BenchmarkBeginEventPlatformID is BenchmarkBeginEvent with the platform's
// id and no timeout: the cheapest invocation.
func BenchmarkBeginEventPlatformID(b *testing.B) {
	fn := newFunction(b, Config{Provider: "bench"}, func(a *core.App) { core.Must(a.Event("f", nop)) })
	e := core.NewEvent("1", "/s", "com.example.t", "application/json", []byte(`{}`))
	parent := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ctx, cancel := fn.Begin(parent, Start{ID: "req-1"})
		if r := fn.Event(ctx, e); r.Err != nil {
			b.Fatal(r.Err)
		}
		cancel()
	}
}
