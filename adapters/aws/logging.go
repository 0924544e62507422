package aws

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
)

// NewLogHandler returns the handler of Lambda's log formats that Start
// installs: with format "JSON" (AWS_LAMBDA_LOG_FORMAT), one JSON object per
// line with "timestamp", "level" (TRACE, DEBUG, INFO, WARN, ERROR, FATAL),
// "message", and inside an invocation "requestId", the function, cold
// start, the event's id, type and source, and the trace ("trace_id",
// "span_id" and "xray_trace_id"), which Lambda's log-level filtering and
// CloudWatch Logs Insights read; any other format writes the same keys as
// text lines. A record's attribute with one of Lambda's keys is written
// with the prefix "attr_", so that no key is ever written twice. A nil
// level means info.
func NewLogHandler(w io.Writer, format string, level slog.Leveler) slog.Handler {
	return newLogHandler(w, format, invoke.Env{LogLevel: level})
}

// newLogHandler is NewLogHandler with e's level, logging a share of
// invocations from Debug up (POLYFN_LOG_SAMPLE_RATE) and holding lines
// back until an error (POLYFN_LOG_BUFFER).
func newLogHandler(w io.Writer, format string, e invoke.Env) slog.Handler {
	return invoke.NewLogHandler(w, slogx.Options{Shape: slogx.Lambda, Level: e.LogLevel, Text: !strings.EqualFold(format, "JSON"),
		DebugSampleRate: e.LogSampleRate, BufferLevel: e.LogBuffer})
}

// logLevel returns the level of POLYFN_LOG_LEVEL (polyfn's, which wins),
// else of AWS_LAMBDA_LOG_LEVEL (Lambda's advanced logging controls), else
// nil.
func logLevel(polyfn slog.Leveler, lambda string) (slog.Leveler, error) {
	if polyfn != nil || lambda == "" {
		return polyfn, nil
	}
	l, err := slogx.ParseLevel(lambda)
	if err != nil {
		return nil, fmt.Errorf("AWS_LAMBDA_LOG_LEVEL: %w", err)
	}
	return l, nil
}
