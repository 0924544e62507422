// Package awstest helps test polyfn functions as AWS Lambda runs them:
// builders for the payloads Lambda's event sources send (SQS, SNS,
// EventBridge, Kinesis, DynamoDB Streams, S3, API Gateway, ALB, function
// URLs), a runner for the AWS Lambda Runtime Interface Emulator, which runs
// a real bootstrap binary under Lambda's runtime API, and the harness of
// the adapters/adaptertest conformance suite (NewHarness), which serves an
// App in process through aws.Handler with those payloads.
package awstest

import (
	"context"
	"net/http"

	"github.com/polyfn/polyfn/internal/lambdaemu"
)

// Account and Region are the account id and region the payloads name.
const (
	Account = lambdaemu.Account
	Region  = lambdaemu.Region
)

// InstallRIE is the command that installs the emulator.
const InstallRIE = lambdaemu.InstallRIE

// SQSMessage is one message of an SQS batch: ID, Body, GroupID and
// Sequence for a FIFO message, ReceiveCount (0 means 1).
type SQSMessage = lambdaemu.SQSMessage

// KinesisRecord is one record of a Kinesis batch: PartitionKey, Sequence,
// Data, and ID, the eventID (empty means Lambda's
// "shardId-000000000000:" + Sequence).
type KinesisRecord = lambdaemu.KinesisRecord

// SQS returns the event Lambda's SQS event source mapping sends for msgs
// read from the queue named queue.
func SQS(queue string, msgs ...SQSMessage) []byte { return lambdaemu.SQS(queue, msgs...) }

// SNS returns the event SNS sends a subscribed function for one message.
func SNS(topic, id, subject string, message []byte) []byte {
	return lambdaemu.SNS(topic, id, subject, message)
}

// EventBridge returns an EventBridge event with detail (JSON, or a string
// holding the bytes when they are not JSON).
func EventBridge(id, source, detailType string, detail []byte) []byte {
	return lambdaemu.EventBridge(id, source, detailType, detail)
}

// Scheduled returns the event an EventBridge schedule rule named rule sends.
func Scheduled(id, rule string) []byte { return lambdaemu.Scheduled(id, rule) }

// Kinesis returns the event Lambda's Kinesis event source mapping sends for
// recs read from shard 0 of the stream named stream.
func Kinesis(stream string, recs ...KinesisRecord) []byte { return lambdaemu.Kinesis(stream, recs...) }

// DynamoDB returns a DynamoDB Streams MODIFY record of table for the item
// with key id, whose attribute "payload" holds data as a string.
func DynamoDB(table, id string, data []byte) []byte { return lambdaemu.DynamoDB(table, id, data) }

// S3 returns the notification S3 sends when an object of size bytes is put
// at key in bucket.
func S3(bucket, key string, size int) []byte { return lambdaemu.S3(bucket, key, size) }

// APIGatewayV1 returns the REST API proxy event (payload format 1.0) for r,
// on stage prod, with request id id. It reads r's body.
func APIGatewayV1(id string, r *http.Request) []byte { return lambdaemu.APIGatewayV1(id, r) }

// APIGatewayV2 returns the HTTP API event (payload format 2.0) for r, with
// request id id. It reads r's body.
func APIGatewayV2(id string, r *http.Request) []byte { return lambdaemu.APIGatewayV2(id, r) }

// FunctionURL returns the event a Lambda function URL sends for r, with
// request id id. It reads r's body.
func FunctionURL(id string, r *http.Request) []byte { return lambdaemu.FunctionURL(id, r) }

// ALB returns the event an Application Load Balancer target group sends for
// r (single-value headers). It reads r's body.
func ALB(r *http.Request) []byte { return lambdaemu.ALB(r) }

// FindRIE returns the path of aws-lambda-rie, from PATH or $(go env
// GOPATH)/bin, or an error that says how to install it.
func FindRIE() (string, error) { return lambdaemu.FindRIE() }

// Emulator is a running aws-lambda-rie serving one bootstrap: Invoke sends
// it a payload (one invocation at a time), Logs returns what it wrote, Stop
// ends it.
type Emulator = lambdaemu.Emulator

// Start runs the emulator on two free loopback ports with bootstrap as the
// function, env added to its environment, and waits until it listens.
func Start(ctx context.Context, bootstrap string, env ...string) (*Emulator, error) {
	return lambdaemu.Start(ctx, bootstrap, env...)
}
