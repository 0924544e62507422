package awstest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/testproc"
	"github.com/polyfn/polyfn/providers/aws"
)

// TestPayloadsDecode checks every builder against the provider: the payload
// is recognized as its source and decodes to the events it should.
func TestPayloadsDecode(t *testing.T) {
	req := func(body string) *http.Request {
		r, _ := http.NewRequest("POST", "https://example.com/orders?x=1", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	tests := []struct {
		name     string
		payload  []byte
		source   aws.Source
		kind     core.EventKind
		wantData []string
	}{
		{"sqs", SQS("orders", SQSMessage{ID: "m1", Body: []byte(`{"a":1}`)}, SQSMessage{ID: "m2", Body: []byte("two")}), aws.SourceSQS, core.KindQueueMessage, []string{`{"a":1}`, "two"}},
		{"sqs fifo", SQS("orders.fifo", SQSMessage{ID: "m1", Body: []byte("x"), GroupID: "g", Sequence: "1"}), aws.SourceSQS, core.KindQueueMessage, []string{"x"}},
		{"sns", SNS("placed", "n1", "subj", []byte(`{"b":2}`)), aws.SourceSNS, core.KindTopicMessage, []string{`{"b":2}`}},
		{"eventbridge", EventBridge("e1", "com.example", "Order Placed", []byte(`{"c":3}`)), aws.SourceEventBridge, core.KindBusEvent, []string{`{"c":3}`}},
		{"scheduled", Scheduled("s1", "nightly"), aws.SourceEventBridge, core.KindScheduleFired, []string{`{}`}},
		{"kinesis", Kinesis("stock", KinesisRecord{PartitionKey: "A", Sequence: "1", Data: []byte("d1")}, KinesisRecord{PartitionKey: "B", Sequence: "2", Data: []byte("d2")}), aws.SourceKinesis, core.KindStreamRecord, []string{"d1", "d2"}},
		{"dynamodb", DynamoDB("users", "u1", []byte("p")), aws.SourceDynamoDB, core.KindDBDocumentUpdated, nil},
		{"s3", S3("uploads", "a/b.txt", 3), aws.SourceS3, core.KindStorageObjectCreated, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := aws.Sniff(tt.payload)
			if err != nil || src != tt.source {
				t.Fatalf("Sniff = %v, %v; want %v", src, err, tt.source)
			}
			b, err := aws.Decode(src, tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantData != nil && len(b.Events) != len(tt.wantData) {
				t.Fatalf("%d events, want %d", len(b.Events), len(tt.wantData))
			}
			for i, e := range b.Events {
				if core.EventKindOf(e) != tt.kind {
					t.Errorf("event %d: kind %q, want %q", i, core.EventKindOf(e), tt.kind)
				}
				if tt.wantData != nil && string(e.Data()) != tt.wantData[i] {
					t.Errorf("event %d: data %q, want %q", i, e.Data(), tt.wantData[i])
				}
			}
		})
	}
	for name, c := range map[string]struct {
		payload []byte
		source  aws.Source
	}{
		"apigw-v1": {APIGatewayV1("r1", req(`{"o":1}`)), aws.SourceAPIGatewayV1},
		"apigw-v2": {APIGatewayV2("r2", req(`{"o":1}`)), aws.SourceAPIGatewayV2},
		"url":      {FunctionURL("r3", req(`{"o":1}`)), aws.SourceFunctionURL},
		"alb":      {ALB(req(`{"o":1}`)), aws.SourceALB},
	} {
		src, err := aws.Sniff(c.payload)
		if err != nil || src != c.source {
			t.Errorf("%s: Sniff = %v, %v; want %v", name, src, err, c.source)
			continue
		}
		hr, err := aws.DecodeHTTP(src, c.payload)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		r, err := hr.Request(context.Background(), aws.HTTPOptions{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if r.Method != "POST" || r.URL.Path != "/orders" || r.URL.Query().Get("x") != "1" {
			t.Errorf("%s: request %s %s", name, r.Method, r.URL)
		}
	}
}

// TestEmulator runs examples/echo under the emulator and invokes it.
func TestEmulator(t *testing.T) {
	if _, err := FindRIE(); err != nil {
		t.Fatal(err) // .ci/run installs it; a missing emulator is a failure, not a skip
	}
	bin := testproc.Build(t, "../../../examples/echo", "-tags", "polyfn.aws,lambda.norpc")
	bootstrap := filepath.Join(filepath.Dir(bin), "bootstrap")
	if err := os.Rename(bin, bootstrap); err != nil {
		t.Fatal(err)
	}
	e, err := Start(context.Background(), bootstrap, "POLYFN_FUNCTION=echo")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	status, body, err := e.Invoke(context.Background(), SQS("orders", SQSMessage{ID: "m1", Body: []byte(`{"fail":true}`)}, SQSMessage{ID: "m2", Body: []byte(`{}`)}))
	if err != nil || status != 200 || string(body) != `{"batchItemFailures":[{"itemIdentifier":"m1"}]}` {
		t.Fatalf("status %d, %s, %v\n%s", status, body, err, e.Logs())
	}
}
