// Package awswire sets the message attributes of an SNS or SQS message
// exactly: the Go CDK's awssnssqs driver URL-escapes metadata values,
// which a CloudEvent's attributes must not be (a source's slashes would
// arrive as %2F).
package awswire

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// BeforeSend returns the Go CDK BeforeSend hook that sets the attributes of
// the SNS batch entry or SQS batch entry to attrs, as String attributes,
// and nothing else.
func BeforeSend(attrs map[string]string) func(as func(any) bool) error {
	return func(as func(any) bool) error {
		var sns *snstypes.PublishBatchRequestEntry
		if as(&sns) {
			sns.MessageAttributes = make(map[string]snstypes.MessageAttributeValue, len(attrs))
			for k, v := range attrs {
				sns.MessageAttributes[k] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
			}
			return nil
		}
		var sqs *sqstypes.SendMessageBatchRequestEntry
		if as(&sqs) {
			sqs.MessageAttributes = make(map[string]sqstypes.MessageAttributeValue, len(attrs))
			for k, v := range attrs {
				sqs.MessageAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
			}
			return nil
		}
		return errors.New("awswire: the message is neither an SNS nor an SQS batch entry")
	}
}
