package sample

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/polyfn/polyfn/internal/lambdaemu"
)

// AWS returns the Lambda event payloads trigger's event source sends for
// recs, one per invocation: one for a batch source (sqs, kinesis,
// dynamodb), one per record for the others (sns, eventbridge, schedule,
// s3). With no record, one payload carries an empty JSON object. A
// schedule's payload is what the SAM template's schedule sends: the
// scheduled event of an EventBridge rule.
func AWS(trigger string, recs []Record) ([][]byte, error) {
	recs = ids("polyfn-invoke", one(recs))
	var out [][]byte
	switch trigger {
	case "sqs":
		msgs := make([]lambdaemu.SQSMessage, len(recs))
		for i, r := range recs {
			msgs[i] = lambdaemu.SQSMessage{ID: r.ID, Body: r.Data, GroupID: r.Key, Sequence: sequence(r.Key, i)}
		}
		return [][]byte{lambdaemu.SQS("polyfn-invoke", msgs...)}, nil
	case "kinesis":
		krs := make([]lambdaemu.KinesisRecord, len(recs))
		for i, r := range recs {
			key := r.Key
			if key == "" {
				key = "pk-1"
			}
			krs[i] = lambdaemu.KinesisRecord{PartitionKey: key, Sequence: fmt.Sprintf("4959033827149025660855969253836157109592157598913658%04d", i+1), Data: r.Data}
		}
		return [][]byte{lambdaemu.Kinesis("polyfn-invoke", krs...)}, nil
	}
	for _, r := range recs {
		var p []byte
		switch trigger {
		case "sns":
			p = lambdaemu.SNS("polyfn-invoke", r.ID, "", r.Data)
		case "eventbridge":
			p = lambdaemu.EventBridge(r.ID, "com.example.polyfn", "Polyfn Invoke", r.Data)
		case "schedule":
			p = lambdaemu.Scheduled(r.ID, "polyfn-invoke")
		case "dynamodb":
			p = lambdaemu.DynamoDB("polyfn-invoke", r.ID, r.Data)
		case "s3":
			p = lambdaemu.S3("polyfn-invoke", "payload", len(r.Data))
		default:
			return nil, fmt.Errorf("trigger %q is not an AWS event source (%v)", trigger, NamesOf("aws"))
		}
		out = append(out, p)
	}
	return out, nil
}

// sequence returns a FIFO sequence number for a keyed SQS record, or "".
func sequence(key string, i int) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf("1862771231390000%04d", i+1)
}

// AWSHTTP returns the payload an HTTP front end sends Lambda for r:
// "apigw-v1" (REST API), "apigw-v2" (HTTP API), "url" (function URL) or
// "alb". It reads r's body.
func AWSHTTP(trigger, id string, r *http.Request) ([]byte, error) {
	switch trigger {
	case "apigw-v1":
		return lambdaemu.APIGatewayV1(id, r), nil
	case "apigw-v2", "http":
		return lambdaemu.APIGatewayV2(id, r), nil
	case "url":
		return lambdaemu.FunctionURL(id, r), nil
	case "alb":
		return lambdaemu.ALB(r), nil
	}
	return nil, fmt.Errorf("trigger %q is not an AWS HTTP front end (apigw-v1, apigw-v2, url, alb)", trigger)
}

// ContentType returns application/json for JSON data, else what
// net/http sniffs.
func ContentType(data []byte) string {
	if len(bytes.TrimSpace(data)) > 0 && jsonValid(data) {
		return "application/json"
	}
	return http.DetectContentType(data)
}
