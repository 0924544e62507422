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
)

// SQSMessageFromContext returns the SQS message behind the event being
// handled, or nil when there is none. For an SNS notification delivered
// through SQS it is the SQS message that carried it.
func SQSMessageFromContext(ctx context.Context) *events.SQSMessage {
	r, _ := ctx.Value(sqsKey).(*sqsRecord)
	if r == nil {
		return nil
	}
	return r.message()
}

// SNSRecordFromContext returns the SNS record behind the event being
// handled, or nil. Notifications delivered through SQS have none; see
// SQSMessageFromContext.
func SNSRecordFromContext(ctx context.Context) *events.SNSEventRecord {
	r, _ := ctx.Value(snsKey).(*events.SNSEventRecord)
	return r
}

// KinesisRecordFromContext returns the Kinesis record behind the event
// being handled, or nil.
func KinesisRecordFromContext(ctx context.Context) *events.KinesisEventRecord {
	r, _ := ctx.Value(kinesisKey).(*events.KinesisEventRecord)
	return r
}

// DynamoDBRecordFromContext returns the DynamoDB Streams record behind the
// event being handled, or nil.
func DynamoDBRecordFromContext(ctx context.Context) *events.DynamoDBEventRecord {
	r, _ := ctx.Value(dynamodbKey).(*events.DynamoDBEventRecord)
	return r
}

// S3RecordFromContext returns the S3 notification record behind the event
// being handled, or nil.
func S3RecordFromContext(ctx context.Context) *events.S3EventRecord {
	r, _ := ctx.Value(s3Key).(*events.S3EventRecord)
	return r
}

// EventBridgeEventFromContext returns the EventBridge (CloudWatch Events)
// envelope behind the event being handled, or nil.
func EventBridgeEventFromContext(ctx context.Context) *events.EventBridgeEvent {
	r, _ := ctx.Value(eventBridgeKey).(*events.EventBridgeEvent)
	return r
}

// APIGatewayV1RequestFromContext returns the API Gateway REST API request
// (payload 1.0) behind an HTTP request, or nil. Its RequestContext holds the
// stage, identity and authorizer context (claims included).
func APIGatewayV1RequestFromContext(ctx context.Context) *events.APIGatewayProxyRequest {
	r, _ := ctx.Value(apigwV1Key).(*events.APIGatewayProxyRequest)
	return r
}

// APIGatewayV2RequestFromContext returns the HTTP API (payload 2.0) or
// Function URL request behind an HTTP request, or nil. Both sources share
// this shape. RequestContext.Authorizer holds JWT claims, Lambda authorizer
// context or IAM identity.
func APIGatewayV2RequestFromContext(ctx context.Context) *events.APIGatewayV2HTTPRequest {
	n, _ := ctx.Value(apigwV2Key).(*v2Native)
	if n == nil {
		return nil
	}
	return n.request()
}

// ALBRequestFromContext returns the Application Load Balancer request
// behind an HTTP request, or nil.
func ALBRequestFromContext(ctx context.Context) *events.ALBTargetGroupRequest {
	r, _ := ctx.Value(albKey).(*events.ALBTargetGroupRequest)
	return r
}
