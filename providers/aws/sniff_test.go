package aws

import (
	"errors"
	"strings"
	"testing"
)

// TestSniffClassifies checks every sample payload in testdata against the
// source Sniff must find, or the service its refusal must name: no payload
// of a service polyfn does not serve is taken for a supported trigger.
func TestSniffClassifies(t *testing.T) {
	tests := []struct {
		file    string
		want    Source
		refusal string // a part of the error, when the payload is refused
	}{
		{"aws-lambda-go-apigw-request.json", SourceAPIGatewayV1, ""},
		{"aws-lambda-go-apigw-v2-request-iam.json", SourceAPIGatewayV2, ""},
		{"aws-lambda-go-lambda-urls-request.json", SourceFunctionURL, ""},
		{"aws-lambda-go-alb-lambda-target-request-headers-only.json", SourceALB, ""},
		{"aws-lambda-go-alb-lambda-target-request-multivalue-headers.json", SourceALB, ""},
		{"aws-docs-vpc-lattice-v1-request.json", SourceVPCLattice, ""},
		{"aws-docs-vpc-lattice-v2-request.json", SourceVPCLattice, ""},
		{"aws-lambda-go-sqs-event.json", SourceSQS, ""},
		{"aws-lambda-go-sns-event.json", SourceSNS, ""},
		{"aws-lambda-go-kinesis-event.json", SourceKinesis, ""},
		{"aws-lambda-go-dynamodb-event.json", SourceDynamoDB, ""},
		{"aws-lambda-go-s3-event.json", SourceS3, ""},
		{"aws-lambda-go-codebuild-state-change.json", SourceEventBridge, ""},
		{"polyfn-cloudevent-direct.json", SourceCloudEvent, ""},
		{"polyfn-cloudevent-direct-batch.json", SourceCloudEvent, ""},

		{"aws-lambda-go-apigw-custom-auth-request.json", 0, "API Gateway Lambda authorizer"},
		{"aws-lambda-go-apigw-custom-auth-request-type-request.json", 0, "API Gateway Lambda authorizer"},
		{"aws-lambda-go-apigw-v2-custom-authorizer-v1-request.json", 0, "API Gateway Lambda authorizer"},
		{"aws-lambda-go-apigw-v2-custom-authorizer-v2-request.json", 0, "API Gateway Lambda authorizer"},
		{"aws-lambda-go-apigw-websocket-request.json", 0, "WebSocket"},
		{"aws-lambda-go-apigw-websocket-request-disconnect.json", 0, "WebSocket"},
		{"aws-docs-apigw-websocket-connect-event.json", 0, "WebSocket"},
		{"aws-docs-bedrock-agent-action-group-event.json", 0, "Bedrock Agent"},
		{"aws-docs-appsync-batch-resolver-event.json", 0, "AppSync batch resolver"},
		{"aws-lambda-go-appsync-lambda-auth-request.json", 0, "AppSync Lambda authorizer"},
		{"aws-lambda-go-cognito-event.json", 0, "numeric top-level version"},
		{"aws-lambda-go-cognito-event-userpools-presignup.json", 0, "Cognito user pool"},
		{"aws-lambda-go-kafka-event.json", SourceKafka, ""},
		{"polyfn-kafka-self-managed-event.json", SourceKafka, ""},
		{"aws-lambda-go-cloudwatch-logs-event.json", SourceCloudWatchLogs, ""},
		{"aws-lambda-go-kinesis-time-window-event.json", SourceKinesis, ""},
		{"aws-lambda-go-dynamodb-time-window-event.json", SourceDynamoDB, ""},
		{"polyfn-kinesis-window-final-event.json", SourceKinesis, ""},
		{"aws-lambda-go-kinesis-firehose-event.json", 0, "Firehose"},
		{"aws-lambda-go-activemq-event.json", 0, "Amazon MQ"},
		{"aws-lambda-go-s3-object-lambda-event-get-object-iam.json", 0, "S3 Object Lambda"},
		{"aws-lambda-go-secretsmanager-secret-rotation-event.json", 0, "Secrets Manager"},
		{"aws-lambda-go-lex-event.json", 0, "Lex"},
		{"aws-lambda-go-ses-lambda-event.json", 0, "SES"},
		{"aws-lambda-go-code-commit-event.json", 0, "CodeCommit"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := Sniff(readFixture(t, tt.file))
			if tt.refusal == "" {
				if err != nil || src != tt.want {
					t.Fatalf("Sniff = %v, %v; want %v", src, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrUnsupportedPayload) || !strings.Contains(err.Error(), tt.refusal) || src != SourceUnknown {
				t.Fatalf("Sniff = %v, %v; want an unsupported payload error naming %q", src, err, tt.refusal)
			}
		})
	}
}

// TestSniffShapes covers the shapes that used to reach the old probe's Go
// types: numeric versions, lowercase records, arrays, odd Records.
func TestSniffShapes(t *testing.T) {
	tests := []struct {
		payload string
		want    error
		part    string
	}{
		{`{"version":2,"httpMethod":"GET","requestContext":{}}`, ErrUnsupportedPayload, "numeric top-level version"},
		{`{"version":2.0,"rawPath":"/","requestContext":{"http":{"method":"GET"}}}`, ErrUnsupportedPayload, "numeric top-level version"},
		{`{"records":{"t-0":[]}}`, ErrUnsupportedPayload, "records object"},
		{`{"records":[{"recordId":"1"}]}`, ErrUnsupportedPayload, "lowercase records"},
		{`{"eventSource":"aws:kafka","records":[]}`, ErrMalformedPayload, "Kafka"},
		{`[{"fieldName":"x"}]`, ErrUnsupportedPayload, "JSON array"},
		{`[1,2]`, ErrUnsupportedPayload, "JSON array"},
		{`{"Records":{"eventSource":"aws:sqs"}}`, ErrUnsupportedPayload, "not an array"},
		{`{"Records":[]}`, ErrMalformedPayload, "empty"},
		{`{"Records":[{"eventSource":"aws:kafka"}]}`, ErrUnsupportedPayload, "aws:kafka"},
		{`{"Records":[{"cf":{}}]}`, ErrUnsupportedPayload, "CloudFront"},
		{`42`, ErrUnsupportedPayload, "number"},
		{`"str"`, ErrUnsupportedPayload, "string"},
		{``, ErrMalformedPayload, "empty"},
		{`{"a":`, ErrMalformedPayload, "not a valid JSON object"},
		{`{}`, ErrUnsupportedPayload, "no AWS event"},
		{`{"httpMethod":"GET"}`, ErrUnsupportedPayload, "no AWS event"},
	}
	for _, tt := range tests {
		src, err := Sniff([]byte(tt.payload))
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.part) || src != SourceUnknown {
			t.Errorf("Sniff(%s) = %v, %v; want an error wrapping %v containing %q", tt.payload, src, err, tt.want, tt.part)
		}
	}
}

// TestSniffAllocatesNothing: recognising a payload of a supported source
// is one walk of its top level, without an allocation.
func TestSniffAllocatesNothing(t *testing.T) {
	for _, f := range []string{"aws-lambda-go-apigw-v2-request-iam.json", "aws-lambda-go-apigw-request.json",
		"aws-lambda-go-alb-lambda-target-request-multivalue-headers.json", "aws-lambda-go-sqs-event.json",
		"aws-lambda-go-kinesis-event.json", "aws-docs-vpc-lattice-v2-request.json", "polyfn-cloudevent-direct-batch.json"} {
		p := readFixture(t, f)
		if n := testing.AllocsPerRun(20, func() { _, _ = Sniff(p) }); n != 0 {
			t.Errorf("Sniff(%s) allocates %v times", f, n)
		}
	}
}

// TestDeclaredHTTPIsSniffed: a function declaring one HTTP integration
// still refuses an authorizer request rather than serving it as HTTP.
func TestDeclaredHTTPIsSniffed(t *testing.T) {
	for _, f := range []string{"aws-lambda-go-apigw-v2-custom-authorizer-v2-request.json", "aws-lambda-go-apigw-websocket-request.json"} {
		if src, err := Detect([]Source{SourceAPIGatewayV2}, readFixture(t, f)); !errors.Is(err, ErrUnsupportedPayload) {
			t.Errorf("Detect(http, %s) = %v, %v; want an unsupported payload error", f, src, err)
		}
	}
	if src, err := Detect([]Source{SourceAPIGatewayV2}, readFixture(t, "aws-lambda-go-alb-lambda-target-request-headers-only.json")); src != SourceALB || err != nil {
		t.Errorf("Detect(http, ALB request) = %v, %v; want alb", src, err)
	}
}
