package aws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
)

// sqsTraced is an SQS batch whose first message carries an AWSTraceHeader
// (its sender's trace) and whose second carries none.
const sqsTraced = `{"Records":[
 {"messageId":"m-1","receiptHandle":"r","body":"a","attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1700000000000","AWSTraceHeader":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=1:fe460cdd:0"},"messageAttributes":{},"md5OfBody":"","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:jobs","awsRegion":"us-east-1"},
 {"messageId":"m-2","receiptHandle":"r","body":"b","attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1700000000000"},"messageAttributes":{},"md5OfBody":"","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:jobs","awsRegion":"us-east-1"}]}`

// Each record's log lines name its own trace (the message's AWSTraceHeader,
// else the invocation's X-Ray header), in Lambda's JSON log format.
func TestRecordTraceInLogs(t *testing.T) {
	var buf bytes.Buffer
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		core.InvocationFrom(ctx).Logger.InfoContext(ctx, "handled", "requestId", "not Lambda's")
		return nil, nil
	}, core.OnQueue("jobs")))
	h, err := aws.NewHandler(app, aws.WithLogger(slogNew(&buf)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := lambdaCtx("req-1", 5*time.Second)
	defer cancel()
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1") //nolint:staticcheck // the key aws-lambda-go uses
	if _, err := h.Invoke(ctx, []byte(sqsTraced)); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"level": "INFO", "message": "handled", "requestId": "req-1", "attr_requestId": "not Lambda's", "function": "f", "event_id": "m-1",
			"trace_id": "5759e988bd862e3fe1be46a994272793", "span_id": "53995c3f42cd8ad8", "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793"},
		{"level": "INFO", "message": "handled", "requestId": "req-1", "event_id": "m-2",
			"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "xray_trace_id": "1-0af76519-16cd43dd8448eb211c80319c"},
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		var m map[string]any
		if err := json.Unmarshal(lines[i], &m); err != nil {
			t.Fatalf("line %s: %v", lines[i], err)
		}
		for k, v := range w {
			if m[k] != v {
				t.Errorf("line %d: %s = %v, want %v\n%s", i, k, m[k], v, lines[i])
			}
		}
	}
}

// A reply event carries the invocation's trace onward.
func TestReplyCarriesTrace(t *testing.T) {
	app := core.NewApp()
	core.Must(app.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
		r := core.NewEvent("r-1", "/reply", "com.example.reply", "", nil)
		return &r, nil
	}))
	h, err := aws.NewHandler(app)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := lambdaCtx("req-1", 5*time.Second)
	defer cancel()
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1") //nolint:staticcheck // the key aws-lambda-go uses
	out, err := h.Invoke(ctx, []byte(`{"specversion":"1.0","id":"x","source":"/t","type":"t"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reply map[string]any
	if err := json.Unmarshal(out, &reply); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if want := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"; reply["traceparent"] != want {
		t.Errorf("reply %s: traceparent want %s", out, want)
	}
}

// NewLogHandler writes JSON for Lambda's JSON log format and text
// otherwise, from the level given.
func TestLogFormats(t *testing.T) {
	tests := []struct {
		name, format string
		level        slog.Level
		want         string
	}{
		{"JSON at debug", "JSON", slog.LevelDebug, `{"level":"DEBUG","message":"d"}` + "\n" + `{"level":"INFO","message":"i"}` + "\n"},
		{"JSON at info", "json", slog.LevelInfo, `{"level":"INFO","message":"i"}` + "\n"},
		{"text", "Text", slog.LevelInfo, "level=INFO message=i\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := aws.NewLogHandler(&buf, tt.format, tt.level)
			for _, r := range []slog.Record{slog.NewRecord(time.Time{}, slog.LevelDebug, "d", 0), slog.NewRecord(time.Time{}, slog.LevelInfo, "i", 0)} {
				if h.Enabled(context.Background(), r.Level) {
					_ = h.Handle(context.Background(), r)
				}
			}
			if buf.String() != tt.want {
				t.Errorf("got %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

func slogNew(w *bytes.Buffer) *slog.Logger { return slog.New(aws.NewLogHandler(w, "JSON", nil)) }
