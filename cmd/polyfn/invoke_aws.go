package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/lambdaemu"
	"github.com/polyfn/polyfn/internal/trace"
)

// invokeAWS builds pkg as a Lambda bootstrap, runs it under the AWS Lambda
// Runtime Interface Emulator and sends it one invocation with the payload
// trigger's event source sends.
func invokeAWS(ctx context.Context, e *env, pkg string, f *core.Function, trigger string, data []byte) error {
	if _, err := lambdaemu.FindRIE(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "polyfn-invoke-aws-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := goBuild(ctx, e, pkg, runtime.GOARCH, "polyfn.aws,lambda.norpc", bootstrap); err != nil {
		return err
	}
	payload, err := awsPayload(f, trigger, data)
	if err != nil {
		return err
	}
	traceFile := filepath.Join(dir, "trace.jsonl")
	e.progress("starting aws-lambda-rie")
	emu, err := lambdaemu.Start(ctx, bootstrap, "POLYFN_FUNCTION="+f.Name, trace.EnvVar+"="+traceFile, "AWS_LAMBDA_FUNCTION_TIMEOUT=30")
	if err != nil {
		return err
	}
	defer emu.Stop()
	e.progress("invoking %s (%s)", f.Name, trigger)
	status, body, err := emu.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	if f.Kind == core.EventFunction {
		seen, _ := os.ReadFile(traceFile)
		fmt.Fprintf(e.stdout, "== event seen by %s\n%s", f.Name, indentJSONLines(seen))
		fmt.Fprintln(e.stdout, "== reply")
		fmt.Fprintln(e.stdout, "(none: only a direct invocation with a CloudEvent returns the reply; event sources drop it)")
	}
	fmt.Fprintf(e.stdout, "== response (invocation result, HTTP %d)\n%s", status, indentJSONLines(body))
	if status != http.StatusOK || bytes.Contains(body, []byte(`"errorType"`)) {
		return fmt.Errorf("the invocation failed\n%s", emu.Logs())
	}
	return nil
}

// awsPayload wraps data in the event trigger's source sends.
func awsPayload(f *core.Function, trigger string, data []byte) ([]byte, error) {
	id := fmt.Sprintf("polyfn-invoke-%d", time.Now().UnixNano())
	switch trigger {
	case "sqs":
		return lambdaemu.SQS("polyfn-invoke", lambdaemu.SQSMessage{ID: id, Body: data}), nil
	case "sns":
		return lambdaemu.SNS("polyfn-invoke", id, "", data), nil
	case "eventbridge":
		return lambdaemu.EventBridge(id, "com.example.polyfn", "Polyfn Invoke", data), nil
	case "schedule":
		return lambdaemu.Scheduled(id, "polyfn-invoke"), nil
	case "kinesis":
		return lambdaemu.Kinesis("polyfn-invoke", lambdaemu.KinesisRecord{PartitionKey: "pk-1", Sequence: "49590338271490256608559692538361571095921575989136588802", Data: data}), nil
	case "dynamodb":
		return lambdaemu.DynamoDB("polyfn-invoke", "doc-1", data), nil
	case "s3":
		return lambdaemu.S3("polyfn-invoke", "payload", len(data)), nil
	}
	t, _ := f.Trigger(core.TriggerHTTP)
	method, path := "POST", strings.TrimSuffix(t.Route, "{$}")
	if len(t.Methods) > 0 {
		method = t.Methods[0]
	}
	if path == "" {
		path = "/" + f.Name
	}
	r, _ := http.NewRequest(method, "https://polyfn.example"+path, bytes.NewReader(data))
	r.Header.Set("Content-Type", sniffContentType(data))
	r.Header.Set("User-Agent", "polyfn-invoke")
	switch trigger {
	case "apigw-v1":
		return lambdaemu.APIGatewayV1(id, r), nil
	case "apigw-v2":
		return lambdaemu.APIGatewayV2(id, r), nil
	case "url":
		return lambdaemu.FunctionURL(id, r), nil
	case "alb":
		return lambdaemu.ALB(r), nil
	}
	return nil, usageError(fmt.Sprintf("trigger %q is not an AWS trigger", trigger))
}
