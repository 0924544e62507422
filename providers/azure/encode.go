package azure

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

// Response encodes res, the outcome of running inv.Events (one record per
// event, in order), into the host's answer, with logs as its Logs. When
// every record succeeded, ReturnValue holds the replies (see ReplyValue),
// which the host writes to the function's $return output binding if it
// has one. Otherwise err is the one record's error or, for a batch, a
// *BatchError: Azure has no partial failure, and the adapter must fail the
// whole invocation with a non-2xx answer. A reply that is not a valid
// CloudEvent fails too, permanently, with a *ReplyError.
//
// The replies of an event function reached over an HTTP trigger belong in
// the HTTP answer instead: serve its events over HTTP and carry the answer
// with Source.HTTPResponse.
func (inv *Invocation) Response(res driver.BatchResult, logs []string) (Response, error) {
	if err := inv.Failure(res); err != nil {
		return Response{}, err
	}
	rv, err := appendReplies(nil, len(res.Records), func(i int) *core.Event { return res.Records[i].Reply })
	if err != nil {
		return Response{}, core.Permanent(err)
	}
	return Response{Logs: logs, ReturnValue: rv}, nil
}

// Failure returns the error that fails the whole invocation for res: nil
// when every record succeeded, the record's own error for a single event,
// a *BatchError for a batch.
func (inv *Invocation) Failure(res driver.BatchResult) error {
	failed := res.Failed()
	if len(failed) == 0 {
		return nil
	}
	if !inv.Batch && len(res.Records) == 1 {
		return res.Records[0].Err
	}
	worst := driver.Permanent
	for _, i := range failed {
		if o := res.Records[i].Outcome(); o.Retry() {
			worst = o
		}
	}
	return &BatchError{Failed: failed, Total: len(res.Records), Outcome: worst, Err: res.Err()}
}

// BatchError fails an invocation in which records of a batch failed: the
// host has no partial failure, so it delivers the whole batch again (Event
// Hubs only with a retry policy).
type BatchError struct {
	// Failed holds the indexes of the failed records, in order.
	Failed []int
	// Total is the number of records of the batch.
	Total int
	// Outcome is Permanent when every failed record failed permanently,
	// and the outcome of a retryable failure otherwise.
	Outcome driver.Outcome
	// Err joins the records' errors, each prefixed with its index.
	Err error
}

// Summary says how many records failed and what the host does, without
// the records' error text: "1 of 3 records failed; Azure has no partial
// failure, so the whole batch fails".
func (e *BatchError) Summary() string {
	return fmt.Sprintf("%d of %d records failed; Azure has no partial failure, so the whole batch fails", len(e.Failed), e.Total)
}

// Error returns the summary and the records' errors.
func (e *BatchError) Error() string { return e.Summary() + ": " + e.Err.Error() }

// Unwrap returns the records' joined errors.
func (e *BatchError) Unwrap() error { return e.Err }

// HTTPResponse returns the answer that carries an HTTP response (status,
// headers, body) to the caller through the function's http output binding:
// Outputs.res, or ReturnValue when the function.json names it $return.
// logs become the answer's Logs.
func (s Source) HTTPResponse(status int, h http.Header, body []byte, logs []string) Response {
	v := HTTPOutput(status, h, body)
	if name := s.HTTPOutputBinding(); name != "$return" {
		return Response{Outputs: map[string]json.RawMessage{name: v}, Logs: logs}
	}
	return Response{Logs: logs, ReturnValue: v}
}
