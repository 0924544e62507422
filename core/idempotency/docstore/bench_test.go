package docstore_test

import (
	"testing"

	"github.com/polyfn/polyfn/core/idempotency/idempotencytest"
)

// BenchmarkStores measures the per-event cost of the middleware on
// memdocstore and on DynamoDB (dynalite on loopback).
func BenchmarkStores(b *testing.B) {
	b.Run("memdocstore", func(b *testing.B) {
		idempotencytest.BenchmarkMiddleware(b, open(b, "mem://bench-"+randomName(b)+"/id"))
	})
	b.Run("dynamodb", func(b *testing.B) {
		idempotencytest.BenchmarkMiddleware(b, open(b, useDynalite(b, "bench")))
	})
}
