package aws

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// contextKey is the type of this package's context keys.
type contextKey struct{ name string }

var (
	sqsKey         = &contextKey{"sqs"}
	snsKey         = &contextKey{"sns"}
	kinesisKey     = &contextKey{"kinesis"}
	dynamodbKey    = &contextKey{"dynamodb"}
	s3Key          = &contextKey{"s3"}
	eventBridgeKey = &contextKey{"eventbridge"}
	apigwV1Key     = &contextKey{"apigateway-v1"}
	apigwV2Key     = &contextKey{"apigateway-v2"}
	albKey         = &contextKey{"alb"}
	kafkaKey       = &contextKey{"kafka"}
	logsKey        = &contextKey{"logs"}
	windowKey      = &contextKey{"window"}
)

// SQSMessageFromContext returns the SQS message behind the event being
// handled, and whether there is one. For an SNS notification delivered
// through SQS it is the SQS message that carried it. The message is built
// on first use and shared by the calls for one record: do not change it.
func SQSMessageFromContext(ctx context.Context) (*events.SQSMessage, bool) {
	r, _ := ctx.Value(sqsKey).(*sqsRecord)
	if r == nil {
		return nil, false
	}
	return r.message(), true
}

// SNSRecordFromContext returns the SNS record behind the event being
// handled, and whether there is one. Notifications delivered through SQS
// have none; see SQSMessageFromContext.
func SNSRecordFromContext(ctx context.Context) (*events.SNSEventRecord, bool) {
	r, _ := ctx.Value(snsKey).(*events.SNSEventRecord)
	return r, r != nil
}

// KinesisRecordFromContext returns the Kinesis record behind the event
// being handled, and whether there is one.
func KinesisRecordFromContext(ctx context.Context) (*events.KinesisEventRecord, bool) {
	r, _ := ctx.Value(kinesisKey).(*events.KinesisEventRecord)
	return r, r != nil
}

// DynamoDBRecordFromContext returns the DynamoDB Streams record behind the
// event being handled, and whether there is one. Its Change is decoded on
// first use and shared by the calls for one record: do not change it.
func DynamoDBRecordFromContext(ctx context.Context) (*events.DynamoDBEventRecord, bool) {
	r, _ := ctx.Value(dynamodbKey).(*ddbNative)
	if r == nil {
		return nil, false
	}
	return r.record(), true
}

// S3RecordFromContext returns the S3 notification record behind the event
// being handled, and whether there is one.
func S3RecordFromContext(ctx context.Context) (*events.S3EventRecord, bool) {
	r, _ := ctx.Value(s3Key).(*events.S3EventRecord)
	return r, r != nil
}

// EventBridgeEventFromContext returns the EventBridge (CloudWatch Events)
// envelope behind the event being handled, and whether there is one.
func EventBridgeEventFromContext(ctx context.Context) (*events.EventBridgeEvent, bool) {
	r, _ := ctx.Value(eventBridgeKey).(*events.EventBridgeEvent)
	return r, r != nil
}

// APIGatewayV1RequestFromContext returns the API Gateway REST API request
// (payload 1.0) behind an HTTP request, and whether there is one. Its
// RequestContext holds the stage, identity and authorizer context (claims
// included).
func APIGatewayV1RequestFromContext(ctx context.Context) (*events.APIGatewayProxyRequest, bool) {
	r, _ := ctx.Value(apigwV1Key).(*events.APIGatewayProxyRequest)
	return r, r != nil
}

// APIGatewayV2RequestFromContext returns the HTTP API (payload 2.0) or
// Function URL request behind an HTTP request, and whether there is one.
// Both sources share this shape. RequestContext.Authorizer holds JWT
// claims, Lambda authorizer context or IAM identity. Its Headers map is
// built on first use.
func APIGatewayV2RequestFromContext(ctx context.Context) (*events.APIGatewayV2HTTPRequest, bool) {
	n, _ := ctx.Value(apigwV2Key).(*v2Request)
	if n == nil {
		return nil, false
	}
	return n.request(), true
}

// ALBRequestFromContext returns the Application Load Balancer request
// behind an HTTP request, and whether there is one. It is built on first
// use and shared by the calls for one request: do not change it.
func ALBRequestFromContext(ctx context.Context) (*events.ALBTargetGroupRequest, bool) {
	r, _ := ctx.Value(albKey).(*albRequest)
	if r == nil {
		return nil, false
	}
	return r.request(), true
}

// KafkaRecordFromContext returns the Amazon MSK or self-managed Kafka
// record behind the event being handled (its headers included), and
// whether there is one.
func KafkaRecordFromContext(ctx context.Context) (*events.KafkaRecord, bool) {
	r, _ := ctx.Value(kafkaKey).(*events.KafkaRecord)
	return r, r != nil
}

// CloudWatchLogsFromContext returns the CloudWatch Logs subscription data
// behind the event being handled (log group, log stream, subscription
// filters, every log event of the message), whether it came straight to
// the function or through Kinesis, and whether there is one.
func CloudWatchLogsFromContext(ctx context.Context) (*events.CloudwatchLogsData, bool) {
	r, _ := ctx.Value(logsKey).(*events.CloudwatchLogsData)
	return r, r != nil
}
