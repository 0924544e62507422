// Command shop runs the portable shop app (package shop) on the adapter its
// build tag selects. The adapter starts the app with its settings from the
// environment: SHOP_API_KEY (required, a secret), SHOP_LOG_LEVEL (default
// info), and SHOP_JWKS_URL, SHOP_JWT_ISSUER and SHOP_JWT_AUDIENCE, which
// make it accept bearer JWTs besides the key, and SHOP_PUSH_SERVICE_ACCOUNT
// and SHOP_PUSH_AUDIENCE, which let Google's push deliveries (OIDC tokens
// of that account) reach the event functions. Without SHOP_API_KEY the app
// exits at start-up, naming it; building it, or generating its manifests,
// needs none.
//
// The resources the functions use (the orders queue, the order-placed
// topic, the tables and the reports bucket) open from the URLs in their
// POLYFN_<KIND>_<NAME>_URL variables, which the manifests set; on the
// local adapter, without them, they are in memory and the queue and topic
// deliver in process. The idempotency store of fulfilment is
// POLYFN_IDEMPOTENCY_URL, or the table POLYFN_TABLE_IDEMPOTENCY_URL, or
// memory.
//
// Every function requires credentials: a bearer JWT or the key in
// X-Api-Key, on the API and, where an adapter serves event functions over
// HTTP (the local adapter, Google), on the event functions too.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core/otelfn"
	"github.com/polyfn/polyfn/examples/shop/shop"
)

func main() {
	level := new(slog.LevelVar)
	app, err := shop.New(shop.Config{
		// Through the adapter's handler: each line in the platform's shape,
		// with the function, invocation, event and trace.
		Logger: shop.DefaultLogger(level),
		Level:  level,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Traces and metrics over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is
	// set, flushed per invocation on Lambda and at shutdown everywhere.
	otelfn.Use(app)
	adapters.Run(app)
}
