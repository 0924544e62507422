// Package dynalite starts dynalite, a DynamoDB-protocol server from npm,
// for tests: .ci/run installs it into polyfn/npm under the user's cache
// folder. A test skips only when dynalite is absent and npm is too (or
// under -short), saying how to install it.
package dynalite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Version is the dynalite .ci/run installs.
const Version = "4.0.0"

// command finds the dynalite command: on PATH, else in the npm prefix
// .ci/run installs it into (polyfn/npm under the user's cache folder).
func command(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("dynalite"); err == nil {
		return p
	}
	prefix := filepath.Join("$HOME", ".cache", "polyfn", "npm")
	if dir, err := os.UserCacheDir(); err == nil {
		prefix = filepath.Join(dir, "polyfn", "npm")
		p := filepath.Join(prefix, "node_modules", ".bin", "dynalite")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	install := fmt.Sprintf("npm install --prefix %s dynalite@%s", prefix, Version)
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skipf("dynalite (a DynamoDB-protocol server) is not installed and npm is absent to install it: %s", install)
	}
	if testing.Short() {
		t.Skipf("-short: dynalite is not installed (%s)", install)
	}
	t.Fatalf("dynalite is not installed: run %s (.ci/run does)", install)
	return ""
}

// Start starts an in-memory dynalite on a free loopback port until
// t ends, and returns its endpoint URL.
func Start(t testing.TB) string {
	t.Helper()
	bin := command(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--createTableMs", "0", "--deleteTableMs", "0")
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dynalite: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(15 * time.Second); ; {
		select {
		case err := <-exited:
			t.Fatalf("dynalite exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("dynalite did not listen on %s within 15s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
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
