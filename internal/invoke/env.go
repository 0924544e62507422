package invoke

import (
	"fmt"
	"os"
	"strconv"
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
)

// Env holds what FromEnv read; zero fields were not set.
type Env struct {
	MaxBodyBytes   int64
	MaxBatchEvents int
	ExposeErrors   bool
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
	return e, nil
}
