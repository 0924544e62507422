package invoke

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/polyfn/polyfn/internal/slogx"
)

// The environment variables every adapter reads through FromEnv.
const (
	// EnvMaxBodyBytes bounds HTTP request bodies, in bytes.
	EnvMaxBodyBytes = "POLYFN_MAX_BODY_BYTES"
	// EnvMaxBatchEvents bounds the events of one CloudEvents batch (see
	// Config.MaxBatchEvents).
	EnvMaxBatchEvents = "POLYFN_MAX_BATCH_EVENTS"
	// EnvExposeErrors, set to 1 or true, puts functions' error text in HTTP
	// error answers (for development; see Config.ExposeErrors).
	EnvExposeErrors = "POLYFN_EXPOSE_ERRORS"
	// EnvLogLevel is the lowest level the adapter's logger writes: trace,
	// debug, info, warn, error or fatal. It overrides the platform's own
	// setting (AWS_LAMBDA_LOG_LEVEL).
	EnvLogLevel = "POLYFN_LOG_LEVEL"
	// EnvLogSampleRate, between 0 and 1, is the share of invocations
	// logged from Debug up whatever the level (see
	// slogx.Options.DebugSampleRate).
	EnvLogSampleRate = "POLYFN_LOG_SAMPLE_RATE"
	// EnvLogBuffer is a level (trace, debug, ...): an invocation's lines
	// at or above it and below the log level are held back and written
	// only when the invocation logs an error (see
	// slogx.Options.BufferLevel).
	EnvLogBuffer = "POLYFN_LOG_BUFFER"
)

// Env holds what FromEnv read; zero fields were not set.
type Env struct {
	MaxBodyBytes   int64
	MaxBatchEvents int
	ExposeErrors   bool
	// LogLevel is nil when POLYFN_LOG_LEVEL is not set.
	LogLevel slog.Leveler
	// LogSampleRate is POLYFN_LOG_SAMPLE_RATE, 0 when not set.
	LogSampleRate float64
	// LogBuffer is the level of POLYFN_LOG_BUFFER, nil when not set: an
	// invocation's lines at or above it and below the log level are held
	// back, and written only when the invocation logs an error
	// (slogx.Options.BufferLevel).
	LogBuffer slog.Leveler
}

// FromEnv reads the runtime's environment variables. Its error names the
// variable and the value at fault.
func FromEnv() (Env, error) {
	var e Env
	if v := os.Getenv(EnvMaxBodyBytes); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return e, fmt.Errorf("%s=%q is not a positive number of bytes", EnvMaxBodyBytes, v)
		}
		e.MaxBodyBytes = n
	}
	if v := os.Getenv(EnvMaxBatchEvents); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return e, fmt.Errorf("%s=%q is not a positive number of events", EnvMaxBatchEvents, v)
		}
		e.MaxBatchEvents = n
	}
	if v := os.Getenv(EnvExposeErrors); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return e, fmt.Errorf("%s=%q is not a boolean", EnvExposeErrors, v)
		}
		e.ExposeErrors = b
	}
	if v := os.Getenv(EnvLogLevel); v != "" {
		l, err := slogx.ParseLevel(v)
		if err != nil {
			return e, fmt.Errorf("%s: %w", EnvLogLevel, err)
		}
		e.LogLevel = l
	}
	if v := os.Getenv(EnvLogBuffer); v != "" {
		l, err := slogx.ParseLevel(v)
		if err != nil {
			return e, fmt.Errorf("%s: %w", EnvLogBuffer, err)
		}
		e.LogBuffer = l
	}
	if v := os.Getenv(EnvLogSampleRate); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r >= 0 && r <= 1) {
			return e, fmt.Errorf("%s=%q is not a number between 0 and 1", EnvLogSampleRate, v)
		}
		e.LogSampleRate = r
	}
	return e, nil
}
