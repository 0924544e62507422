package main

import (
	"testing"

	"github.com/polyfn/polyfn/adapters/local/localtest"
	"github.com/polyfn/polyfn/examples/shop/shop"
	"github.com/polyfn/polyfn/internal/dynalite"
)

// TestScenarioDynamoDB runs the scenario with the shop's tables in
// DynamoDB (dynalite, a DynamoDB-protocol server), opened from the URLs the
// manifests would set: the orders, stock, analytics and idempotency tables
// through the Go CDK's awsdynamodb driver.
func TestScenarioDynamoDB(t *testing.T) {
	endpoint := dynalite.Start(t)
	for k, v := range dynalite.Env(endpoint) {
		t.Setenv(k, v)
	}
	t.Setenv("POLYFN_IDEMPOTENCY_URL", "")
	app, err := shop.New(shop.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range app.Resources() {
		if r.Kind == "table" {
			dynalite.CreateTable(t, endpoint, "shop-"+r.Name, r.Key())
			t.Setenv(r.EnvVar(), "dynamodb://shop-"+r.Name+"?partition_key="+r.Key())
		}
	}
	scenario(t, localtest.NewHarness)
}
