// Package dynalite starts dynalite, a DynamoDB-protocol server from npm,
// for tests (see package npmserver for where it is found).
package dynalite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/polyfn/polyfn/internal/npmserver"
)

// Version is the dynalite .ci/run installs.
const Version = "4.0.0"

var server = npmserver.Server{Package: "dynalite", Version: Version, Command: "dynalite", What: "a DynamoDB-protocol server"}

// Start starts an in-memory dynalite on a free loopback port until
// t ends, and returns its endpoint URL.
func Start(t testing.TB) string {
	t.Helper()
	port := npmserver.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	server.Start(t, addr, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--createTableMs", "0", "--deleteTableMs", "0")
	return "http://" + addr
}

// CreateTable creates table, keyed by the string attribute key, at
// endpoint (a table that exists already is fine).
func CreateTable(t testing.TB, endpoint, table, key string) {
	t.Helper()
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("polyfn-test", "polyfn-test", ""),
	})
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(key), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(key), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		t.Fatalf("create table %s: %v", table, err)
	}
}

// Env is the environment that points the AWS SDK at endpoint.
func Env(endpoint string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB":   endpoint,
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "polyfn-test",
		"AWS_SECRET_ACCESS_KEY":       "polyfn-test",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
}
