package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/lambdaemu"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/internal/trace"
)

// invokeAWS builds the package as a Lambda bootstrap, runs it under the
// AWS Lambda Runtime Interface Emulator and sends it the payloads the
// trigger's event source sends, one invocation at a time: one for a batch
// source, one per record for the others; an HTTP function gets its
// request through the front end --trigger names (an HTTP API by default).
func invokeAWS(ctx context.Context, e *env, inv *invocation) ([]outcome, error) {
	if _, err := lambdaemu.FindRIE(); err != nil {
		return nil, err
	}
	payloads, err := awsPayloads(inv)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "polyfn-invoke-aws-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := goBuild(ctx, e, inv.pkg, runtime.GOARCH, "polyfn.aws,lambda.norpc", bootstrap); err != nil {
		return nil, err
	}
	tr := &traceReader{path: filepath.Join(dir, "trace.jsonl")}
	timeout := 30
	if inv.f.Timeout > 0 {
		timeout = int((inv.f.Timeout + 999_999_999) / 1_000_000_000)
	}
	e.progress("starting aws-lambda-rie")
	env := append([]string{"POLYFN_FUNCTION=" + inv.f.Name, trace.EnvVar + "=" + tr.path, fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", timeout)}, inv.env...)
	emu, err := lambdaemu.Start(ctx, bootstrap, env...)
	if err != nil {
		return nil, err
	}
	defer func() {
		emu.Stop()
		printLogs(e, emu.Logs())
	}()
	outs := make([]outcome, 0, len(payloads))
	for i, p := range payloads {
		e.progress("invoking %s (%s)", inv.f.Name, inv.trigger.Name)
		status, body, err := emu.Invoke(ctx, p)
		if err != nil {
			return nil, err
		}
		printSeen(e, inv.f, i+1, len(payloads), tr.next())
		if inv.f.Kind == core.EventFunction {
			fmt.Fprintln(e.stdout, "== reply")
			fmt.Fprintln(e.stdout, "(none: only a direct invocation with a CloudEvent returns the reply; event sources drop it)")
		}
		fmt.Fprintf(e.stdout, "== response (invocation result, HTTP %d)\n%s", status, indentJSONLines(body))
		outs = append(outs, awsOutcome(inv.f, status, body))
	}
	return outs, nil
}

// awsPayloads returns the payload of each invocation.
func awsPayloads(inv *invocation) ([][]byte, error) {
	if inv.f.Kind == core.HTTPFunction {
		r, _ := cloneRequest(inv.req)
		r.URL.Scheme, r.URL.Host = "https", "polyfn.example"
		p, err := sample.AWSHTTP(inv.trigger.Name, fmt.Sprintf("polyfn-invoke-%d", os.Getpid()), r)
		if err != nil {
			return nil, usageError(err.Error())
		}
		return [][]byte{p}, nil
	}
	ps, err := sample.AWS(inv.trigger.Name, inv.recs)
	if err != nil {
		return nil, usageError(err.Error())
	}
	return ps, nil
}

// awsOutcome judges one invocation's result as Lambda does: an error
// document fails it, a batch response fails the records it lists, an HTTP
// answer fails with a 5xx status.
func awsOutcome(f *core.Function, status int, body []byte) outcome {
	if status != http.StatusOK {
		return outcome{failed: true, why: fmt.Sprintf("HTTP %d from the emulator", status)}
	}
	var res struct {
		ErrorType         string `json:"errorType"`
		ErrorMessage      string `json:"errorMessage"`
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(body, &res) != nil {
		return outcome{}
	}
	switch {
	case res.ErrorType != "":
		return outcome{failed: true, why: res.ErrorType + ": " + res.ErrorMessage}
	case len(res.BatchItemFailures) > 0:
		ids := make([]string, len(res.BatchItemFailures))
		for i, b := range res.BatchItemFailures {
			ids[i] = b.ItemIdentifier
		}
		return outcome{failed: true, why: "batchItemFailures " + strings.Join(ids, ", ")}
	case f.Kind == core.HTTPFunction && res.StatusCode >= 500:
		return outcome{failed: true, why: fmt.Sprintf("status %d", res.StatusCode)}
	}
	return outcome{}
}
