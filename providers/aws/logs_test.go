package aws

import (
	"context"
	"errors"
	"testing"
)

// TestLogsControlMessage: the message CloudWatch Logs sends to check a
// destination gives no event and is acknowledged.
func TestLogsControlMessage(t *testing.T) {
	b, err := Decode(SourceCloudWatchLogs, readFixture(t, "polyfn-cloudwatch-logs-control-event.json"))
	if err != nil || b.Len() != 0 {
		t.Fatalf("Decode = %v, %v; want no event", b, err)
	}
}

// TestLogsThroughKinesis: each log event carries the Kinesis record and
// the subscription data, and a failure reports the record's sequence
// number once.
func TestLogsThroughKinesis(t *testing.T) {
	b, err := Decode(SourceKinesis, readFixture(t, "polyfn-kinesis-cloudwatch-logs-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := b.WithRecord(context.Background(), 1)
	lg, ok := CloudWatchLogsFromContext(ctx)
	if !ok || lg.LogGroup != "CloudTrail/logs" || len(lg.LogEvents) != 3 {
		t.Errorf("CloudWatchLogsFromContext = %v, %v", lg, ok)
	}
	if r, ok := KinesisRecordFromContext(ctx); !ok || r.Kinesis.PartitionKey != "111111111111_CloudTrail/logs_us-east-1" {
		t.Errorf("KinesisRecordFromContext = %v, %v", r, ok)
	}
	fn, _ := failWhen("31953106606966983378809025079804211143289615424298221569")
	if got := b.Failures(run(b, 1, fn)); len(got) != 1 || got[0] != "49545115243490985018280067714973144582180062593244200961" {
		t.Errorf("failures = %v; want the record's sequence number", got)
	}
}

// TestLogsMalformed names what is wrong.
func TestLogsMalformed(t *testing.T) {
	for _, p := range []string{`{"awslogs":{}}`, `{"awslogs":{"data":"%%"}}`, `{"awslogs":{"data":"aGVsbG8="}}`, `{"awslogs":"x"}`} {
		if _, err := Decode(SourceCloudWatchLogs, []byte(p)); !errors.Is(err, ErrMalformedPayload) {
			t.Errorf("Decode(%s) error = %v; want a malformed payload error", p, err)
		}
	}
}
