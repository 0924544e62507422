// Command shop runs the portable shop app (package shop) on the adapter its
// build tag selects. SHOP_API_KEY sets the API key; without it the app
// refuses to start.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/examples/shop/shop"
)

func main() {
	app, err := shop.New(shop.Config{
		APIKey: os.Getenv("SHOP_API_KEY"),
		Logger: slog.New(slog.NewJSONHandler(os.Stdout, nil)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err, "(set SHOP_API_KEY)")
		os.Exit(1)
	}
	adapters.Run(app)
}
