package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
)

// decodeGolden is what a golden file of an event payload holds.
type decodeGolden struct {
	Source string            `json:"source"`
	Events []json.RawMessage `json:"events"`
	// Keys and Items are each record's ordering key and batchItemFailures
	// identifier.
	Keys  []string `json:"keys"`
	Items []string `json:"items"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		file string
		want Source
	}{
		{"sqs", "aws-lambda-go-sqs-event.json", SourceSQS},
		{"sqs fifo", "polyfn-sqs-fifo-event.json", SourceSQS},
		{"sns via sqs", "polyfn-sqs-sns-event.json", SourceSQS},
		{"cloudevents in sqs", "polyfn-sqs-cloudevents-event.json", SourceSQS},
		{"sqs batch of 5", "polyfn-sqs-batch5-event.json", SourceSQS},
		{"sns", "aws-lambda-go-sns-event.json", SourceSNS},
		{"eventbridge scheduled", "polyfn-eventbridge-scheduled-event.json", SourceEventBridge},
		{"eventbridge codebuild", "aws-lambda-go-codebuild-state-change.json", SourceEventBridge},
		{"eventbridge ecr", "aws-lambda-go-ecr-image-push-event.json", SourceEventBridge},
		{"kinesis", "aws-lambda-go-kinesis-event.json", SourceKinesis},
		{"kinesis batch", "polyfn-kinesis-batch-event.json", SourceKinesis},
		{"kinesis binary and cloudevent", "polyfn-kinesis-binary-and-cloudevent-event.json", SourceKinesis},
		{"dynamodb", "aws-lambda-go-dynamodb-event.json", SourceDynamoDB},
		{"kinesis tumbling window", "aws-lambda-go-kinesis-time-window-event.json", SourceKinesis},
		{"dynamodb tumbling window", "aws-lambda-go-dynamodb-time-window-event.json", SourceDynamoDB},
		{"kinesis tumbling window, final, no records", "polyfn-kinesis-window-final-event.json", SourceKinesis},
		{"dynamodb tumbling window, final", "polyfn-dynamodb-window-final-event.json", SourceDynamoDB},
		{"s3", "aws-lambda-go-s3-event.json", SourceS3},
		{"s3 invalid escape", "polyfn-s3-invalid-escape-event.json", SourceS3},
		{"s3 lifecycle", "aws-lambda-go-s3-lifecycle-event.json", SourceS3},
		{"s3 restore", "aws-lambda-go-s3-restore-event.json", SourceS3},
		{"s3 replication", "aws-lambda-go-s3-replication-event.json", SourceS3},
		{"s3 intelligent tiering", "aws-lambda-go-s3-intelligenttier-event.json", SourceS3},
		{"s3 glacier", "aws-lambda-go-s3-glacier-event.json", SourceS3},
		{"s3 through sqs and sns", "polyfn-sqs-s3-event.json", SourceSQS},
		{"s3 through eventbridge, created", "aws-docs-eventbridge-s3-object-created.json", SourceEventBridge},
		{"s3 through eventbridge, deleted", "aws-docs-eventbridge-s3-object-deleted.json", SourceEventBridge},
		{"dynamodb ttl", "aws-docs-dynamodb-ttl-event.json", SourceDynamoDB},
		{"kafka msk", "aws-lambda-go-kafka-event.json", SourceKafka},
		{"kafka self-managed", "polyfn-kafka-self-managed-event.json", SourceKafka},
		{"cloudwatch logs", "aws-lambda-go-cloudwatch-logs-event.json", SourceCloudWatchLogs},
		{"cloudwatch logs through kinesis", "polyfn-kinesis-cloudwatch-logs-event.json", SourceKinesis},
		{"kinesis kpl aggregate", "polyfn-kinesis-kpl-aggregated-event.json", SourceKinesis},
		{"direct cloudevent", "polyfn-cloudevent-direct.json", SourceCloudEvent},
		{"direct cloudevent batch", "polyfn-cloudevent-direct-batch.json", SourceCloudEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sniffDecode(t, tt.file, tt.want)
			g := decodeGolden{Source: b.Source.String()}
			for i, e := range b.Events {
				if err := cejson.Validate(e); err != nil {
					t.Errorf("event %d is not valid: %v", i, err)
				}
				j, err := cejson.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				g.Events = append(g.Events, j)
				g.Keys = append(g.Keys, b.Key(i))
				g.Items = append(g.Items, b.recs[i].item)
			}
			checkGolden(t, tt.file, g)
		})
	}
}

func TestSniffHTTP(t *testing.T) {
	tests := []struct {
		file string
		want Source
	}{
		{"aws-lambda-go-apigw-request.json", SourceAPIGatewayV1},
		{"polyfn-apigw-v1-base64-request.json", SourceAPIGatewayV1},
		{"aws-lambda-go-apigw-v2-request-iam.json", SourceAPIGatewayV2},
		{"aws-lambda-go-apigw-v2-request-no-authorizer.json", SourceAPIGatewayV2},
		{"aws-lambda-go-alb-lambda-target-request-headers-only.json", SourceALB},
		{"aws-lambda-go-alb-lambda-target-request-multivalue-headers.json", SourceALB},
		{"aws-lambda-go-lambda-urls-request.json", SourceFunctionURL},
		{"aws-lambda-go-lambdaurl-function-url-request-with-headers-and-cookies-and-text-body.json", SourceFunctionURL},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Sniff(readFixture(t, tt.file))
			if err != nil || got != tt.want {
				t.Errorf("Sniff = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     Source
		payload string
		want    error
	}{
		{"truncated dynamodb", SourceDynamoDB, "aws-lambda-go-dynamodb-event-malformed.2.json", ErrMalformedPayload},
		{"not json", SourceSQS, "#{", ErrMalformedPayload},
		{"no records", SourceSQS, `{"Records":[]}`, ErrMalformedPayload},
		{"sqs without messageId", SourceSQS, `{"Records":[{"eventSource":"aws:sqs","body":"x","eventSourceARN":"arn:aws:sqs:us-east-1:1:q"}]}`, ErrMalformedPayload},
		{"s3 payload to an sqs function", SourceSQS, "aws-lambda-go-s3-event.json", ErrUnsupportedPayload},
		{"kinesis bad base64", SourceKinesis, `{"Records":[{"eventSource":"aws:kinesis","kinesis":{"data":"!!","sequenceNumber":"1"}}]}`, ErrMalformedPayload},
		{"eventbridge without detail-type", SourceEventBridge, `{"id":"1","source":"x"}`, ErrMalformedPayload},
		{"invalid direct cloudevent", SourceCloudEvent, `{"specversion":"1.0","id":"x"}`, ErrMalformedPayload},
		{"http source", SourceAPIGatewayV2, `{}`, ErrUnsupportedPayload},
		{"window not an object", SourceKinesis, `{` + windowRec + `,"window":"x"}`, ErrMalformedPayload},
		{"window without end", SourceKinesis, `{` + windowRec + `,"window":{"start":"2020-12-09T07:04:00Z"}}`, ErrMalformedPayload},
		{"window start not a time", SourceKinesis, `{` + windowRec + `,"window":{"start":"monday","end":"2020-12-09T07:06:00Z"}}`, ErrMalformedPayload},
		{"window state not an object", SourceKinesis, `{` + windowRec + `,"window":{"start":"2020-12-09T07:04:00Z","end":"2020-12-09T07:06:00Z"},"state":[1]}`, ErrMalformedPayload},
		{"final window without a stream ARN", SourceKinesis, `{"Records":[],"window":{"start":"2020-12-09T07:04:00Z","end":"2020-12-09T07:06:00Z"},"shardId":"s","isFinalInvokeForWindow":true}`, ErrMalformedPayload},
		{"dynamodb window not an object", SourceDynamoDB, `{"Records":[],"window":[]}`, ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := []byte(tt.payload)
			if len(tt.payload) > 5 && tt.payload[len(tt.payload)-5:] == ".json" {
				payload = readFixture(t, tt.payload)
			}
			_, err := Decode(tt.src, payload)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v; want one wrapping %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}

// windowRec is a Kinesis record for the tumbling-window error cases.
const windowRec = `"Records":[{"eventSource":"aws:kinesis","eventID":"e","eventSourceARN":"arn:aws:kinesis:us-east-1:1:stream/s","kinesis":{"data":"","sequenceNumber":"1"}}]`

func TestSniffErrors(t *testing.T) {
	for _, p := range []string{``, `nul`, `{}`, `{"Records":[{"eventSource":"aws:kafka"}]}`, `"str"`,
		// tumbling windows without records whose ARN names no stream
		`{"Records":[],"window":{"start":"2020-12-09T07:04:00Z","end":"2020-12-09T07:06:00Z"},"eventSourceARN":"stream-ARN"}`,
		`{"Records":[],"window":{"start":"2020-12-09T07:04:00Z","end":"2020-12-09T07:06:00Z"}}`} {
		if src, err := Sniff([]byte(p)); err == nil {
			t.Errorf("Sniff(%q) = %v, nil; want an error", p, src)
		}
	}
}

func TestDirectCloudEventToDeclaredFunction(t *testing.T) {
	// A function declared for SQS still takes a direct CloudEvent invocation.
	b, err := Decode(SourceSQS, readFixture(t, "polyfn-cloudevent-direct.json"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Source != SourceCloudEvent || b.Events[0].ID() != "direct-1" {
		t.Fatalf("got %v %v", b.Source, b.Events[0])
	}
}

// run runs b with fn as adapters do and returns the result.
func run(b *Batch, concurrency int, fn core.EventFunc) driver.BatchResult {
	return driver.RunBatch(context.Background(), fn, b.Events, b.Options(concurrency))
}

func failWhen(ids ...string) (core.EventFunc, *[]string) {
	var ran []string
	return func(ctx context.Context, e core.Event) (*core.Event, error) {
		ran = append(ran, e.ID())
		for _, id := range ids {
			if e.ID() == id {
				return nil, errors.New("boom " + id)
			}
		}
		return nil, nil
	}, &ran
}

func TestBatchResponses(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		src      Source
		fail     []string
		wantRan  []string
		wantResp string
	}{
		{"sqs all ok", "polyfn-sqs-batch5-event.json", SourceSQS, nil,
			[]string{"m1", "m2", "m3", "m4", "m5"}, `{"batchItemFailures":[]}`},
		{"sqs two failures", "polyfn-sqs-batch5-event.json", SourceSQS, []string{"m2", "m4"},
			[]string{"m1", "m2", "m3", "m4", "m5"}, `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]}`},
		{"fifo first failure and the rest of its group", "polyfn-sqs-fifo-event.json", SourceSQS, []string{"fifo-1"},
			[]string{"fifo-1", "fifo-2", "fifo-4"}, `{"batchItemFailures":[{"itemIdentifier":"fifo-1"},{"itemIdentifier":"fifo-3"}]}`},
		{"kinesis first failed sequence number", "polyfn-kinesis-batch-event.json", SourceKinesis, []string{"shardId-000000000000:49568167373333333333333333333333333333333333333333333333"},
			[]string{"shardId-000000000000:49568167373333333333333333333333333333333333333333333331", "shardId-000000000000:49568167373333333333333333333333333333333333333333333332", "shardId-000000000000:49568167373333333333333333333333333333333333333333333333"},
			`{"batchItemFailures":[{"itemIdentifier":"49568167373333333333333333333333333333333333333333333333"}]}`},
		{"dynamodb second record fails", "aws-lambda-go-dynamodb-event.json", SourceDynamoDB, []string{"f07f8ca4b0b26cb9c4e5e77e42f274ee"},
			[]string{"f07f8ca4b0b26cb9c4e5e77e69f274ee", "f07f8ca4b0b26cb9c4e5e77e42f274ee"}, `{"batchItemFailures":[{"itemIdentifier":"1405400000000002063282832"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Decode(tt.src, readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			fn, ran := failWhen(tt.fail...)
			res := run(b, 1, fn)
			if got, want := jsonOf(*ran), jsonOf(tt.wantRan); got != want {
				t.Errorf("ran %s; want %s", got, want)
			}
			out, err := b.Response(res)
			if err != nil || string(out) != tt.wantResp {
				t.Errorf("Response = %s, %v; want %s", out, err, tt.wantResp)
			}
		})
	}
}

func TestKinesisConcurrentKeepsPartitionOrder(t *testing.T) {
	b, err := Decode(SourceKinesis, readFixture(t, "polyfn-kinesis-batch-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Record 3 (partition p1) fails: record 5 (p1) must not run; p2 goes on.
	failing := "shardId-000000000000:49568167373333333333333333333333333333333333333333333333"
	res := driver.RunBatch(context.Background(), func(ctx context.Context, e core.Event) (*core.Event, error) {
		if e.ID() == failing {
			return nil, errors.New("boom")
		}
		return nil, nil
	}, b.Events, b.Options(4))
	if !errors.Is(res.Records[4].Err, driver.ErrSkipped) || res.Records[3].Err != nil {
		t.Fatalf("results %v", res.Records)
	}
	out, _ := b.Response(res)
	if want := `{"batchItemFailures":[{"itemIdentifier":"49568167373333333333333333333333333333333333333333333333"}]}`; string(out) != want {
		t.Errorf("Response = %s; want %s", out, want)
	}
}

func TestNonBatchResponses(t *testing.T) {
	b, err := Decode(SourceEventBridge, readFixture(t, "polyfn-eventbridge-scheduled-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !b.Scheduled() || core.EventKindOf(b.Events[0]) != core.KindScheduleFired {
		t.Fatalf("scheduled event not recognised: %v", b.Events[0])
	}
	out, err := b.Response(driver.BatchResult{Records: []driver.RecordResult{{}}})
	if err != nil || string(out) != "null" {
		t.Errorf("no reply: %s, %v", out, err)
	}
	reply := b.Events[0].Clone()
	out, err = b.Response(driver.BatchResult{Records: []driver.RecordResult{{Reply: &reply}}})
	if err != nil || !json.Valid(out) {
		t.Errorf("reply: %s, %v", out, err)
	}
	boom := errors.New("boom")
	if _, err := b.Response(driver.BatchResult{Records: []driver.RecordResult{{Err: boom}}}); !errors.Is(err, boom) {
		t.Errorf("failure: %v", err)
	}
	bad := event.New()
	bad.SetID("x")
	if _, err := b.Response(driver.BatchResult{Records: []driver.RecordResult{{Reply: &bad}}}); ErrorType(err) != ErrorTypeInvalidReply {
		t.Errorf("invalid reply: %v (%s)", err, ErrorType(err))
	}
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		file  string
		src   Source
		check func(ctx context.Context) bool
	}{
		{"aws-lambda-go-sqs-event.json", SourceSQS, func(ctx context.Context) bool {
			m, ok := SQSMessageFromContext(ctx)
			return ok && m.ReceiptHandle != ""
		}},
		{"polyfn-sqs-sns-event.json", SourceSQS, func(ctx context.Context) bool {
			m, ok := SQSMessageFromContext(ctx)
			return ok && m.MessageId != ""
		}},
		{"aws-lambda-go-sns-event.json", SourceSNS, func(ctx context.Context) bool {
			r, ok := SNSRecordFromContext(ctx)
			return ok && r.SNS.Signature != ""
		}},
		{"aws-lambda-go-kinesis-event.json", SourceKinesis, func(ctx context.Context) bool {
			r, ok := KinesisRecordFromContext(ctx)
			return ok && r.InvokeIdentityArn != ""
		}},
		{"aws-lambda-go-dynamodb-event.json", SourceDynamoDB, func(ctx context.Context) bool {
			r, ok := DynamoDBRecordFromContext(ctx)
			return ok && len(r.Change.NewImage) > 0
		}},
		{"aws-lambda-go-s3-event.json", SourceS3, func(ctx context.Context) bool {
			r, ok := S3RecordFromContext(ctx)
			return ok && r.S3.Object.URLDecodedKey == "Happy Face.jpg"
		}},
		{"polyfn-eventbridge-scheduled-event.json", SourceEventBridge, func(ctx context.Context) bool {
			r, ok := EventBridgeEventFromContext(ctx)
			return ok && r.Region == "us-east-1"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := Decode(tt.src, readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			res := run(b, 1, func(ctx context.Context, e core.Event) (*core.Event, error) {
				if !tt.check(ctx) {
					return nil, errors.New("native record not reachable from ctx")
				}
				n++
				return nil, nil
			})
			if err := res.Err(); err != nil || n != len(b.Events) {
				t.Fatalf("%v (%d of %d ran)", err, n, len(b.Events))
			}
		})
	}
	bare := context.Background()
	for name, ok := range map[string]bool{
		"SQSMessageFromContext":          second(SQSMessageFromContext(bare)),
		"SNSRecordFromContext":           second(SNSRecordFromContext(bare)),
		"KinesisRecordFromContext":       second(KinesisRecordFromContext(bare)),
		"DynamoDBRecordFromContext":      second(DynamoDBRecordFromContext(bare)),
		"S3RecordFromContext":            second(S3RecordFromContext(bare)),
		"EventBridgeEventFromContext":    second(EventBridgeEventFromContext(bare)),
		"APIGatewayV1RequestFromContext": second(APIGatewayV1RequestFromContext(bare)),
		"APIGatewayV2RequestFromContext": second(APIGatewayV2RequestFromContext(bare)),
		"ALBRequestFromContext":          second(ALBRequestFromContext(bare)),
	} {
		if ok {
			t.Errorf("%s reports a native payload on a bare context", name)
		}
	}
}

func second[T any](_ T, ok bool) bool { return ok }

func TestErrorType(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{malformed("x"), ErrorTypeInvalidPayload},
		{unsupported("x"), ErrorTypeUnsupportedPayload},
		{&core.PanicError{Value: "x"}, ErrorTypePanic},
		{context.DeadlineExceeded, ErrorTypeTimeout},
		{core.Permanentf("bad"), ErrorTypePermanent},
		{errors.New("x"), ErrorTypeHandler},
		{&replyError{errors.New("x")}, ErrorTypeInvalidReply},
	}
	for _, tt := range tests {
		if got := ErrorType(tt.err); got != tt.want {
			t.Errorf("ErrorType(%v) = %s; want %s", tt.err, got, tt.want)
		}
	}
}

func TestSourceOf(t *testing.T) {
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	ev := func(triggers ...core.FunctionOption) *core.Function {
		app := core.NewApp()
		core.Must(app.Event("f", nop, triggers...))
		f, _ := app.Function("f")
		return f
	}
	web := func(triggers ...core.FunctionOption) *core.Function {
		app := core.NewApp()
		core.Must(app.HTTP("h", nopHandler{}, triggers...))
		f, _ := app.Function("h")
		return f
	}
	const ddbARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Users/stream/2026-01-01T00:00:00.000"
	tests := []struct {
		name    string
		f       *core.Function
		want    []Source
		wantErr string
	}{
		{"queue", ev(core.OnQueue("orders")), []Source{SourceSQS}, ""},
		{"queue and schedule", ev(core.OnQueue("orders"), core.OnSchedule("@daily", ""), core.OnQueue("more")), []Source{SourceSQS, SourceEventBridge}, ""},
		{"dynamodb by setting", ev(core.OnStream("users").With("aws", SettingSource, "dynamodb")), []Source{SourceDynamoDB}, ""},
		{"dynamodb by arn", ev(core.OnStream("users").With("aws", SettingARN, ddbARN)), []Source{SourceDynamoDB}, ""},
		{"kinesis setting wins over the arn", ev(core.OnStream("users").With("aws", SettingSource, "Kinesis").With("aws", SettingARN, ddbARN)), []Source{SourceKinesis}, ""},
		{"kinesis", ev(core.OnStream("clicks")), []Source{SourceKinesis}, ""},
		{"storage and topic", ev(core.OnStorage("b"), core.OnTopic("t")), []Source{SourceS3, SourceSNS}, ""},
		{"no trigger", ev(), nil, ""},
		{"http api", web(core.OnHTTP("/h").With("aws", SettingIntegration, "http")), []Source{SourceAPIGatewayV2}, ""},
		{"rest, alb and url", web(core.OnHTTP("/a").With("aws", SettingIntegration, "REST"), core.OnHTTP("/b").With("aws", SettingIntegration, "alb"), core.OnHTTP("/c").With("aws", SettingIntegration, "url")),
			[]Source{SourceAPIGatewayV1, SourceALB, SourceFunctionURL}, ""},
		{"http without integration", web(core.OnHTTP("/h2")), nil, ""},
		{"one http trigger without integration", web(core.OnHTTP("/a").With("aws", SettingIntegration, "http"), core.OnHTTP("/b")), nil, ""},
		{"unknown integration", web(core.OnHTTP("/h").With("aws", SettingIntegration, "grpc")), nil, `aws: function "h": trigger http /h: aws/integration="grpc" is not rest, http, alb, url or lattice`},
		{"unknown stream source", ev(core.OnStream("s").With("aws", SettingSource, "kafka")), nil, `aws/source="kafka" is not kinesis or dynamodb`},
		{"log group arn", ev(core.OnStream("arn:aws:logs:us-east-1:123456789012:log-group:app")), []Source{SourceCloudWatchLogs}, ""},
		{"msk cluster arn", ev(core.OnStream("arn:aws:kafka:us-east-1:123456789012:cluster/c/1")), []Source{SourceKafka}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SourceOf(tt.f)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SourceOf = %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || jsonOf(got) != jsonOf(tt.want) {
				t.Errorf("SourceOf = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestHTTPOptionsOf(t *testing.T) {
	tests := []struct {
		name    string
		trigger core.Trigger
		want    HTTPOptions
		wantErr bool
	}{
		{"none", core.OnHTTP("/a"), HTTPOptions{}, false},
		{"base path and proxy", core.OnHTTP("/a").With("aws", SettingBasePath, "/v1").With("aws", SettingProxyPath, "true"), HTTPOptions{BasePath: "/v1", ProxyPath: true}, false},
		{"proxy off", core.OnHTTP("/a").With("aws", SettingProxyPath, "false"), HTTPOptions{}, false},
		{"proxy not a boolean", core.OnHTTP("/a").With("aws", SettingProxyPath, "yes please"), HTTPOptions{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			core.Must(app.HTTP("h", nopHandler{}, tt.trigger))
			f, _ := app.Function("h")
			got, err := HTTPOptionsOf(f)
			if (err != nil) != tt.wantErr || !tt.wantErr && got != tt.want {
				t.Errorf("HTTPOptionsOf = %+v, %v; want %+v (error %v)", got, err, tt.want, tt.wantErr)
			}
			if tt.wantErr && !strings.Contains(fmt.Sprint(err), `aws/proxyPath="yes please"`) {
				t.Errorf("the error must name the setting and its value: %v", err)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	sqs, s3 := readFixture(t, "aws-lambda-go-sqs-event.json"), readFixture(t, "aws-lambda-go-s3-event.json")
	direct, v2 := readFixture(t, "polyfn-cloudevent-direct.json"), readFixture(t, "aws-lambda-go-apigw-v2-request-iam.json")
	tests := []struct {
		name     string
		declared []Source
		payload  []byte
		want     Source
		wantErr  error
	}{
		{"one declared source is not sniffed", []Source{SourceSQS}, s3, SourceSQS, nil},
		{"nothing declared: sniffed", nil, s3, SourceS3, nil},
		{"sniffed among those declared", []Source{SourceSQS, SourceEventBridge}, sqs, SourceSQS, nil},
		{"a direct CloudEvent always", []Source{SourceSQS, SourceEventBridge}, direct, SourceCloudEvent, nil},
		{"any http source for another", []Source{SourceAPIGatewayV1, SourceALB}, v2, SourceAPIGatewayV2, nil},
		{"not declared", []Source{SourceSQS, SourceEventBridge}, s3, SourceS3, ErrUnsupportedPayload},
		{"not json", nil, []byte("{"), SourceUnknown, ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(tt.declared, tt.payload)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Detect = %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestBatchTrigger(t *testing.T) {
	tests := []struct {
		file string
		src  Source
		want core.TriggerKind
	}{
		{"aws-lambda-go-sqs-event.json", SourceSQS, core.TriggerQueue},
		{"polyfn-eventbridge-scheduled-event.json", SourceEventBridge, core.TriggerSchedule},
		{"aws-lambda-go-codebuild-state-change.json", SourceEventBridge, core.TriggerEvent},
		{"aws-lambda-go-kinesis-event.json", SourceKinesis, core.TriggerStream},
		{"aws-lambda-go-dynamodb-event.json", SourceDynamoDB, core.TriggerStream},
		{"aws-lambda-go-s3-event.json", SourceS3, core.TriggerStorage},
		{"aws-lambda-go-sns-event.json", SourceSNS, core.TriggerTopic},
		{"polyfn-cloudevent-direct.json", SourceSQS, core.TriggerDirect},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := Decode(tt.src, readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Trigger(); got != tt.want {
				t.Errorf("Trigger() = %s; want %s", got, tt.want)
			}
		})
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSQSAttributes(t *testing.T) {
	payload := `{"Records":[{"messageId":"a","body":"x","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:1:q",
		"attributes":{"SentTimestamp":"1700000000000","AWSTraceHeader":"Root=\"quoted\"\u0041","ApproximateReceiveCount":"2","Other":"o"}},
		{"messageId":"b","body":"y","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:1:q",
		"attributes" : { "SentTimestamp" : "1700000000001" , "MessageGroupId":"g", "Future": {"n": 1} }}]}`
	b, err := Decode(SourceSQS, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := core.ExtensionString(b.Events[0], ExtXRayTrace); v != `Root="quoted"A` {
		t.Errorf("escaped attribute = %q", v)
	}
	if v, _ := core.ExtensionString(b.Events[1], core.PartitionKeyExtension); v != "g" || !b.fifo {
		t.Errorf("group = %q, fifo %v", v, b.fifo)
	}
	res := run(b, 1, func(ctx context.Context, e core.Event) (*core.Event, error) {
		m, _ := SQSMessageFromContext(ctx)
		if e.ID() == "a" && (m.Attributes["Other"] != "o" || m.Attributes["AWSTraceHeader"] != `Root="quoted"A`) {
			return nil, errors.New("attributes map incomplete")
		}
		return nil, nil
	})
	if err := res.Err(); err != nil {
		t.Error(err)
	}
}
