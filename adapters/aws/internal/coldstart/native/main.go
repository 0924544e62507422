// Command native is the hand-written aws-lambda-go baseline of the
// cold-start comparison: an SQS handler with partial batch failures.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type order struct {
	ID    string  `json:"id"`
	Total float64 `json:"total"`
}

func handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		var o order
		if err := json.Unmarshal([]byte(m.Body), &o); err != nil || o.ID == "" {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

func main() {
	lambda.Start(handle)
}
