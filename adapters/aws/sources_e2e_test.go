package aws_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestEmulatorSources runs the sources of issue 10 end to end: the echo
// functions built for Linux, under aws-lambda-rie, one invocation at a time.
func TestEmulatorSources(t *testing.T) {
	emu := emulatorFor(t, "echo")
	t.Run("s3 through sqs and sns", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-sqs-s3-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 2 || seen[0]["polyfnkind"] != "storage.object.created" || seen[1]["dataref"] != "s3://sourcebucket/Happy%20Face.jpg" {
			t.Errorf("echo saw %v; want the two S3 events (the test event is acknowledged)", seen)
		}
		checkGolden(t, "sqs-s3", seen)
	})
	t.Run("s3 through eventbridge", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-docs-eventbridge-s3-object-deleted.json"))
		if status != 200 || decodeJSON(t, out)["type"] != "polyfn.echo.reply" {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 1 || seen[0]["polyfnkind"] != "storage.object.deleted" || seen[0]["subject"] != "example key" {
			t.Errorf("echo saw %v", seen)
		}
		checkGolden(t, "eventbridge-s3", seen)
	})
	t.Run("dynamodb ttl deletion", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-docs-dynamodb-ttl-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 2 || seen[0]["awsddbttl"] != true || seen[1]["awsddbttl"] != nil {
			t.Errorf("echo saw %v; want the first marked a TTL deletion, the second not", seen)
		}
		checkGolden(t, "dynamodb-ttl", seen)
	})
	t.Run("kafka", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-kafka-self-managed-event.json"))
		if status != 200 || !strings.HasPrefix(string(out), "[") {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if got := jsonOf(ids(seen)); got != `["orders-0@15","orders-0@16","ce-kafka-1"]` {
			t.Errorf("echo saw %s", got)
		}
		checkGolden(t, "kafka", seen)
	})
	t.Run("kafka failing in the middle", func(t *testing.T) {
		_, out := emu.invoke(t, fixture(t, "polyfn-kafka-failing-event.json"))
		if resp := decodeJSON(t, out); resp["errorType"] != "Polyfn.HandlerError" {
			t.Fatalf("got %s; want a failed invocation, which Lambda retries", out)
		}
		if got := jsonOf(ids(emu.seen(t))); got != `["orders-0@15","orders-0@16"]` {
			t.Errorf("echo saw %s; want it to stop at the failure", got)
		}
	})
	t.Run("cloudwatch logs", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "aws-lambda-go-cloudwatch-logs-event.json"))
		if status != 200 || !strings.HasPrefix(string(out), "[") {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if got := jsonOf(ids(seen)); got != `["eventId1","eventId2"]` || seen[0]["source"] != "testLogGroup" {
			t.Errorf("echo saw %v", seen)
		}
		checkGolden(t, "cloudwatch-logs", seen)
	})
	t.Run("cloudwatch logs through kinesis", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-kinesis-cloudwatch-logs-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 4 || seen[0]["type"] != "com.amazonaws.logs.log_event" || seen[3]["type"] != "com.amazonaws.kinesis.stream_record" {
			t.Errorf("echo saw %v; want three log events and one plain record", seen)
		}
		checkGolden(t, "kinesis-cloudwatch-logs", seen)
	})
	t.Run("kinesis kpl aggregate", func(t *testing.T) {
		status, out := emu.invoke(t, fixture(t, "polyfn-kinesis-kpl-aggregated-event.json"))
		if status != 200 || string(out) != `{"batchItemFailures":[]}` {
			t.Fatalf("%d %s", status, out)
		}
		seen := emu.seen(t)
		if len(seen) != 4 || seen[1]["partitionkey"] != "customer-2" {
			t.Errorf("echo saw %v; want the three user records of the aggregate, then the plain record", seen)
		}
		checkGolden(t, "kinesis-kpl", seen)
	})
	t.Run("authorizer request refused", func(t *testing.T) {
		_, out := emu.invoke(t, fixture(t, "aws-lambda-go-apigw-v2-custom-authorizer-v2-request.json"))
		resp := decodeJSON(t, out)
		if resp["errorType"] != "Polyfn.UnsupportedPayload" || !strings.Contains(fmt.Sprint(resp["errorMessage"]), "API Gateway Lambda authorizer") {
			t.Errorf("got %s; want an unsupported payload error naming the authorizer", out)
		}
		if seen := emu.seen(t); len(seen) != 0 {
			t.Errorf("echo saw %v", seen)
		}
	})
	http := emulatorFor(t, "http-echo")
	t.Run("vpc lattice v2", func(t *testing.T) {
		status, out := http.invoke(t, fixture(t, "aws-docs-vpc-lattice-v2-request.json"))
		resp := decodeJSON(t, out)
		if status != 200 || resp["statusCode"] != 200.0 || resp["statusDescription"] != "200 OK" {
			t.Fatalf("%d %s", status, out)
		}
		got := httpEchoBody(t, resp)
		if got["method"] != "GET" || got["path"] != "/todos" || jsonOf(got["query"]) != `{"order-id":["1","2"]}` {
			t.Errorf("http-echo saw %v", got)
		}
	})
}
