package docstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/internal/dynalite"
)

// useDynalite starts dynalite, points the AWS SDK's standard environment at
// it (AWS_ENDPOINT_URL_DYNAMODB, a region, dummy keys), creates table with
// the string partition key "id", and returns the store URL.
func useDynalite(t testing.TB, table string) string {
	endpoint := dynalite.Start(t)
	for k, v := range dynalite.Env(endpoint) {
		t.Setenv(k, v)
	}
	dynalite.CreateTable(t, endpoint, table, "id")
	return "dynamodb://" + table + "?partition_key=id"
}

// TestEndpointEnv checks that the store reaches DynamoDB at the endpoint
// of either of the AWS SDK's standard variables.
func TestEndpointEnv(t *testing.T) {
	url := useDynalite(t, "endpoints")
	endpoint := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	for _, name := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
			t.Setenv(name, endpoint)
			s := open(t, url)
			rec := &idempotency.Record{Key: "endpoint#" + randomName(t), Status: idempotency.StatusInProgress, Token: "t",
				LockExpires: time.Now().Add(time.Minute), Expires: time.Now().Add(time.Hour)}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if held, err := s.Claim(ctx, rec, time.Now()); err != nil || held != nil {
				t.Fatalf("Claim through %s: %v, %v", name, held, err)
			}
		})
	}
}
