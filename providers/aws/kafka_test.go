package aws

import (
	"context"
	"errors"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestKafkaFailure: records run in order and stop at the first failure;
// the invocation fails, so Lambda retries the batch.
func TestKafkaFailure(t *testing.T) {
	b, err := Decode(SourceKafka, readFixture(t, "polyfn-kafka-self-managed-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !b.Ordered() || b.ReportsItemFailures() || b.Trigger() != core.TriggerStream {
		t.Fatalf("ordered %v, item failures %v, trigger %v", b.Ordered(), b.ReportsItemFailures(), b.Trigger())
	}
	var offsets []int64
	fn := func(ctx context.Context, e core.Event) (*core.Event, error) {
		r, ok := KafkaRecordFromContext(ctx)
		if !ok {
			return nil, errors.New("no Kafka record in the context")
		}
		offsets = append(offsets, r.Offset)
		if r.Offset == 16 {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
	res := run(b, 1, fn)
	if _, err := b.Response(res); err == nil {
		t.Fatal("Response: nil error; want the failure")
	}
	if len(offsets) != 2 || offsets[0] != 15 || offsets[1] != 16 {
		t.Errorf("ran offsets %v; want 15, 16 and nothing after the failure", offsets)
	}
	ok := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	if out, err := b.Response(run(b, 1, ok)); err != nil || string(out) != "null" {
		t.Errorf("Response = %s, %v; want null", out, err)
	}
}

// TestKafkaMalformed names what is wrong with a Kafka record.
func TestKafkaMalformed(t *testing.T) {
	for _, p := range []string{
		`{"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-east-1:1:cluster/c/1","records":{"t-0":[{"topic":"t","partition":0,"offset":1,"value":"%%%"}]}}`,
		`{"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-east-1:1:cluster/c/1","records":{"t-0":[{"partition":0,"offset":1,"value":""}]}}`,
		`{"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-east-1:1:cluster/c/1","records":{}}`,
		`{"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"t","partition":0,"offset":1,"value":""}]}}`,
		`{"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-east-1:1:cluster/c/1","records":{"t-0":{"topic":"t"}}}`,
	} {
		if _, err := Decode(SourceKafka, []byte(p)); !errors.Is(err, ErrMalformedPayload) {
			t.Errorf("Decode(%s) error = %v; want a malformed payload error", p, err)
		}
	}
}

// TestStreamTakesKafkaAndLogs: a function declaring a (Kinesis) stream
// trigger takes Kafka events and CloudWatch Logs subscriptions too.
func TestStreamTakesKafkaAndLogs(t *testing.T) {
	for _, tt := range []struct {
		file string
		want Source
	}{{"aws-lambda-go-kafka-event.json", SourceKafka}, {"aws-lambda-go-cloudwatch-logs-event.json", SourceCloudWatchLogs}} {
		b, err := Decode(SourceKinesis, readFixture(t, tt.file))
		if err != nil || b.Source != tt.want {
			t.Errorf("Decode(kinesis, %s) = %v, %v; want %v", tt.file, b, err, tt.want)
		}
		if src, err := Detect([]Source{SourceKinesis, SourceSQS}, readFixture(t, tt.file)); err != nil || src != tt.want {
			t.Errorf("Detect(kinesis+sqs, %s) = %v, %v; want %v", tt.file, src, err, tt.want)
		}
	}
}
