package idempotency_test

import (
	"testing"

	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/idempotencytest"
)

// BenchmarkMiddleware measures the per-event cost of the middleware on the
// memory store, with and without the per-process cache, beside the bare
// function.
func BenchmarkMiddleware(b *testing.B) {
	b.Run("bare", func(b *testing.B) { idempotencytest.BenchmarkMiddleware(b, nil) })
	b.Run("memory", func(b *testing.B) { idempotencytest.BenchmarkMiddleware(b, idempotency.NewMemoryStore()) })
	b.Run("memory-cache", func(b *testing.B) {
		idempotencytest.BenchmarkMiddleware(b, idempotency.NewMemoryStore(), idempotency.WithCache(1024))
	})
}
