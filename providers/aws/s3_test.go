package aws

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestS3Delivered: S3 notifications through SQS (directly or in SNS) and
// EventBridge reach a function declaring only a storage trigger as
// storage events, with the delivery's and the S3 record's accessors.
func TestS3Delivered(t *testing.T) {
	for _, f := range []string{"polyfn-sqs-s3-event.json", "aws-docs-eventbridge-s3-object-created.json", "aws-docs-eventbridge-s3-object-deleted.json"} {
		t.Run(f, func(t *testing.T) {
			payload := readFixture(t, f)
			src, err := Detect([]Source{SourceS3}, payload)
			if err != nil || src != SourceS3 {
				t.Fatalf("Detect = %v, %v; want s3 (declared)", src, err)
			}
			b, err := Decode(src, payload)
			if err != nil {
				t.Fatal(err)
			}
			if b.Trigger() != core.TriggerStorage || b.Len() == 0 {
				t.Fatalf("trigger %v, %d events; want storage events", b.Trigger(), b.Len())
			}
			for i, e := range b.Events {
				if k := core.EventKindOf(e); k != core.KindStorageObjectCreated && k != core.KindStorageObjectDeleted {
					t.Errorf("event %d kind %q", i, k)
				}
				if e.Extensions()[ExtDataRef] == nil {
					t.Errorf("event %d has no dataref", i)
				}
				ctx := b.WithRecord(context.Background(), i)
				if _, ok := S3RecordFromContext(ctx); !ok && b.Source == SourceSQS {
					t.Errorf("event %d: no S3 record in the context", i)
				}
				if _, ok := SQSMessageFromContext(ctx); !ok && b.Source == SourceSQS {
					t.Errorf("event %d: no SQS message in the context", i)
				}
				if _, ok := EventBridgeEventFromContext(ctx); !ok && b.Source == SourceEventBridge {
					t.Errorf("event %d: no EventBridge event in the context", i)
				}
			}
		})
	}
}

// TestS3InSQSFailures: a failed S3 event fails the SQS message that
// carried it, once; the S3 test event is acknowledged.
func TestS3InSQSFailures(t *testing.T) {
	b, err := Decode(SourceSQS, readFixture(t, "polyfn-sqs-s3-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	fn := func(ctx context.Context, e core.Event) (*core.Event, error) {
		if m, _ := SQSMessageFromContext(ctx); m.MessageId == "2e1424d4-f796-459a-8184-9c92662be6d2" {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
	got := b.Failures(run(b, 1, fn))
	if want := []string{"2e1424d4-f796-459a-8184-9c92662be6d2"}; !slices.Equal(got, want) {
		t.Errorf("failures = %v; want %v", got, want)
	}
}

// TestS3DeclaredRefusesOtherMessages: SQS messages that are not S3
// notifications are not taken for storage events.
func TestS3DeclaredRefusesOtherMessages(t *testing.T) {
	if b, err := Decode(SourceS3, readFixture(t, "aws-lambda-go-sqs-event.json")); err == nil {
		t.Fatalf("Decode(s3, SQS messages) = %d events, nil; want an error", b.Len())
	}
}
