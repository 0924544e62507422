// Command shop runs the portable shop app (package shop) on the adapter its
// build tag selects. The adapter starts the app with its settings from the
// environment: SHOP_API_KEY (required, a secret) and SHOP_LOG_LEVEL
// (default info). Without SHOP_API_KEY the app exits at start-up, naming
// it; building it, or generating its manifests, needs neither.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/examples/shop/shop"
)

func main() {
	level := new(slog.LevelVar)
	app, err := shop.New(shop.Config{
		Logger: slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})),
		Level:  level,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	adapters.Run(app)
}
