package awstest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/lambdaemu"
	provider "github.com/polyfn/polyfn/providers/aws"
)

// Timeout is the Lambda timeout of every invocation a Harness makes: the
// deadline of the context the handler gets, as Lambda sets it.
const Timeout = 30 * time.Second

// Harness serves an App on the Lambda adapter in process, as Lambda would
// with one Lambda function per function of the App: each function has its
// own aws.Handler (and so its own cold start), and every invocation gets a
// fresh request id, Lambda's deadline and a payload built as the event
// source builds it. It implements adaptertest.Harness; application tests
// use it as a wire (see examples/shop).
type Harness struct {
	handlers  map[string]*aws.Handler
	routes    *http.ServeMux    // the HTTP functions' routes, as API Gateway holds them
	byPattern map[string]string // route pattern → function
}

// NewHarness serves app on the Lambda adapter until t ends. HTTP functions
// enforce opts.MaxBodyBytes; log lines go to t.Log when the test fails or
// runs verbose. It fails t when a function cannot be served.
func NewHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	h := &Harness{handlers: map[string]*aws.Handler{}, routes: http.NewServeMux(), byPattern: map[string]string{}}
	log := adaptertest.Logger(t)
	for _, f := range app.Functions() {
		ah, err := aws.NewHandler(app, aws.WithFunction(f.Name), aws.WithLogger(log), aws.WithMaxBodyBytes(opts.MaxBodyBytes))
		if err != nil {
			t.Fatalf("awstest: %v", err)
		}
		h.handlers[f.Name] = ah
		if f.Kind != core.HTTPFunction {
			continue
		}
		for _, p := range invoke.Patterns(f) {
			if err := invoke.Handle(h.routes, p, http.NotFoundHandler()); err != nil {
				t.Fatalf("awstest: function %q: %v", f.Name, err)
			}
			h.byPattern[p] = f.Name
		}
	}
	return h
}

// Features describes Lambda: replies reach a direct invoker, errorType
// tells permanent failures apart, and Lambda bounds event payloads itself.
func (h *Harness) Features() adaptertest.Features {
	return adaptertest.Features{Provider: aws.Provider, Replies: true, TellsPermanent: true, EventBodyLimit: false}
}

// Invoke invokes the function fn with payload as Lambda does: with a fresh
// request id in the context (lambdacontext) and Lambda's deadline (Timeout,
// or ctx's when earlier). It returns the handler's result and error.
func (h *Harness) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	ah, ok := h.handlers[fn]
	if !ok {
		return nil, fmt.Errorf("awstest: the app has no function %q", fn)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       driver.NewID(),
		InvokedFunctionArn: "arn:aws:lambda:" + Region + ":" + Account + ":function:" + fn,
	})
	return ah.Invoke(ctx, payload)
}

// Deliver invokes fn directly with e as a structured CloudEvent. The reply
// is the invocation's result; a failure is the Lambda error, permanent when
// its errorType says so (see PermanentErrorType).
func (h *Harness) Deliver(ctx context.Context, fn string, e core.Event) (adaptertest.Delivery, error) {
	payload, err := cejson.Marshal(e)
	if err != nil {
		return adaptertest.Delivery{}, fmt.Errorf("awstest: %w", err)
	}
	out, err := h.Invoke(ctx, fn, payload)
	if err != nil {
		t, err := errorType(err)
		return adaptertest.Delivery{Permanent: PermanentErrorType(t)}, err
	}
	d := adaptertest.Delivery{OK: true}
	if string(bytes.TrimSpace(out)) != "null" {
		reply, err := cejson.Unmarshal(out)
		if err != nil {
			return d, fmt.Errorf("awstest: the result is neither null nor a structured CloudEvent: %w: %s", err, out)
		}
		d.Reply = &reply
	}
	return d, nil
}

// errorType returns the errorType of a Lambda error, or an error when err
// is not one: aws-lambda-go would report it as errorString.
func errorType(err error) (string, error) {
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) {
		return "", fmt.Errorf("awstest: the handler failed with %T, not a Lambda error with an errorType: %w", err, err)
	}
	return ie.Type, nil
}

// PermanentErrorType reports whether a Lambda errorType the adapter
// reports says that the same input fails on every delivery: a permanent
// error of the function, a payload it cannot read or take, an invalid
// reply.
func PermanentErrorType(t string) bool {
	switch t {
	case provider.ErrorTypePermanent, provider.ErrorTypeInvalidPayload, provider.ErrorTypeUnsupportedPayload, provider.ErrorTypeInvalidReply:
		return true
	}
	return false
}

// DeliverRecords invokes fn with recs as the event source of trigger
// delivers them:
//
//   - core.TriggerQueue: one SQS batch (a FIFO queue's when records carry
//     keys, which become message groups); the records redelivered are
//     those in batchItemFailures, or all of them when the invocation fails;
//   - core.TriggerStream: one Kinesis batch from one shard, keys as
//     partition keys; Lambda retries from the sequence number in
//     batchItemFailures, so every record from there on is redelivered;
//   - core.TriggerTopic: one SNS notification per record, one invocation
//     each; a failed invocation is redelivered;
//   - core.TriggerSchedule: one EventBridge scheduled event per record (its
//     id is the record's; a schedule carries no data);
//   - core.TriggerEvent: one EventBridge event per record, with the data as
//     detail.
func (h *Harness) DeliverRecords(ctx context.Context, fn string, trigger core.TriggerKind, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	switch trigger {
	case core.TriggerQueue:
		return h.sqs(ctx, fn, recs)
	case core.TriggerStream:
		return h.kinesis(ctx, fn, recs)
	case core.TriggerTopic, core.TriggerSchedule, core.TriggerEvent:
		var d adaptertest.BatchDelivery
		for i, r := range recs {
			var payload []byte
			switch trigger {
			case core.TriggerTopic:
				payload = lambdaemu.SNS("awstest-"+fn, r.ID, "", r.Data)
			case core.TriggerSchedule:
				payload = lambdaemu.Scheduled(r.ID, "awstest-"+fn)
			default:
				payload = lambdaemu.EventBridge(r.ID, "com.example.awstest", "awstest "+fn, r.Data)
			}
			if _, err := h.Invoke(ctx, fn, payload); err != nil {
				if _, err := errorType(err); err != nil {
					return d, err
				}
				d.Redelivered = append(d.Redelivered, i)
			}
		}
		return d, nil
	}
	return adaptertest.BatchDelivery{}, fmt.Errorf("awstest: no Lambda event source delivers %s records here (want queue, stream, topic, schedule or event)", trigger)
}

// Semantics: Kinesis retries from the first failed record; SQS redelivers
// the failed messages (a FIFO queue, with the later messages of their
// groups, which the adapter reports too); SNS and EventBridge retry each
// failed invocation.
func (h *Harness) Semantics(trigger core.TriggerKind) adaptertest.Semantics {
	if trigger == core.TriggerStream {
		return adaptertest.FromFirstFailure
	}
	return adaptertest.PerRecord
}

func (h *Harness) sqs(ctx context.Context, fn string, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	queue := "awstest-" + fn
	for _, r := range recs {
		if r.Key != "" {
			queue += ".fifo"
			break
		}
	}
	msgs := make([]lambdaemu.SQSMessage, len(recs))
	ids := make(map[string]int, len(recs))
	for i, r := range recs {
		msgs[i] = lambdaemu.SQSMessage{ID: r.ID, Body: r.Data, GroupID: r.Key}
		if r.Key != "" {
			msgs[i].Sequence = fmt.Sprintf("%020d", i+1)
		}
		ids[r.ID] = i
	}
	return h.batch(ctx, fn, lambdaemu.SQS(queue, msgs...), ids, len(recs), false)
}

func (h *Harness) kinesis(ctx context.Context, fn string, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	krs := make([]lambdaemu.KinesisRecord, len(recs))
	seqs := make(map[string]int, len(recs))
	for i, r := range recs {
		seq := "495903382714902566085596925383611" + fmt.Sprintf("%023d", i+1)
		krs[i] = lambdaemu.KinesisRecord{ID: r.ID, PartitionKey: r.Key, Sequence: seq, Data: r.Data}
		seqs[seq] = i
	}
	return h.batch(ctx, fn, lambdaemu.Kinesis("awstest-"+fn, krs...), seqs, len(recs), true)
}

// batch invokes fn with a batch payload of n records and reads which
// records Lambda delivers again from the batchItemFailures it returns: the
// items' records (itemIndex maps identifiers to indexes), and with
// fromFirst every later record too. A failed invocation redelivers all.
func (h *Harness) batch(ctx context.Context, fn string, payload []byte, itemIndex map[string]int, n int, fromFirst bool) (adaptertest.BatchDelivery, error) {
	var d adaptertest.BatchDelivery
	out, err := h.Invoke(ctx, fn, payload)
	if err != nil {
		if _, err := errorType(err); err != nil {
			return d, err
		}
		for i := 0; i < n; i++ {
			d.Redelivered = append(d.Redelivered, i)
		}
		return d, nil
	}
	var resp struct {
		BatchItemFailures *[]struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.BatchItemFailures == nil {
		return d, fmt.Errorf("awstest: the result is not a batch response %s (%v)", out, err)
	}
	again := make([]bool, n)
	first := n
	for _, f := range *resp.BatchItemFailures {
		i, ok := itemIndex[f.ItemIdentifier]
		if !ok {
			return d, fmt.Errorf("awstest: batchItemFailures names %q, which is no record of the batch", f.ItemIdentifier)
		}
		again[i] = true
		first = min(first, i)
	}
	for i := range again {
		if again[i] || fromFirst && i >= first {
			d.Redelivered = append(d.Redelivered, i)
		}
	}
	return d, nil
}

// Do sends r, whose URL holds a path and query only, as an HTTP API
// (payload 2.0) request to the HTTP function whose route matches it, as API
// Gateway does, and returns the response Lambda's result describes: 404
// when no route matches, 502 when the invocation fails.
func (h *Harness) Do(r *http.Request) (*http.Response, error) {
	_, pattern := h.routes.Handler(r)
	fn, ok := h.byPattern[pattern]
	if !ok {
		return response(r, http.StatusNotFound, `{"message":"Not Found"}`), nil
	}
	out, err := h.Invoke(r.Context(), fn, lambdaemu.APIGatewayV2(driver.NewID(), r))
	if err != nil {
		if _, err := errorType(err); err != nil {
			return nil, err
		}
		return response(r, http.StatusBadGateway, `{"message":"Internal Server Error"}`), nil
	}
	var res struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Cookies         []string          `json:"cookies"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("awstest: the result is not an HTTP API response: %w: %s", err, out)
	}
	body := []byte(res.Body)
	if res.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(res.Body); err != nil {
			return nil, fmt.Errorf("awstest: isBase64Encoded is set but the body is not base64: %w", err)
		}
	}
	resp := response(r, res.StatusCode, "")
	for k, v := range res.Headers {
		resp.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	for _, c := range res.Cookies {
		resp.Header.Add("Set-Cookie", c)
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}

// response returns an HTTP/1.1 response with status and a JSON body.
func response(r *http.Request, status int, body string) *http.Response {
	h := http.Header{}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	return &http.Response{
		Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Request: r,
		Body: io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)),
	}
}
