package driver

import (
	"context"
	"errors"

	"github.com/polyfn/polyfn/core"
)

// Outcome is how an invocation or a record ended, in the terms every
// platform is told about: adapters map it to a status, an error type or a
// batch item failure.
type Outcome int

// The outcomes.
const (
	// OK: the function succeeded.
	OK Outcome = iota
	// Permanent: the function failed with a core.Permanent error; the same
	// input fails on every delivery.
	Permanent
	// Retryable: the function failed with any other error.
	Retryable
	// Panic: the function panicked (a *core.PanicError).
	Panic
	// Deadline: the invocation's deadline passed before the function
	// finished (context.DeadlineExceeded).
	Deadline
	// Skipped: the record did not run because an earlier record with the
	// same ordering key failed (ErrSkipped).
	Skipped
)

var outcomeNames = [...]string{"ok", "permanent", "retryable", "panic", "deadline", "skipped"}

// String returns "ok", "permanent", "retryable", "panic", "deadline" or
// "skipped".
func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return "unknown"
	}
	return outcomeNames[o]
}

// Retry reports whether the platform should deliver the input again:
// true for every failure but Permanent.
func (o Outcome) Retry() bool { return o != OK && o != Permanent }

// OutcomeOf classifies err: OK for nil, Panic for a *core.PanicError,
// Skipped for ErrSkipped, Permanent for an error core.ErrorKindOf calls
// permanent, Deadline for one that is context.DeadlineExceeded, and
// Retryable for the rest.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return OK
	}
	var p *core.PanicError
	switch {
	case errors.As(err, &p):
		return Panic
	case errors.Is(err, ErrSkipped):
		return Skipped
	case core.ErrorKindOf(err) == core.ErrorPermanent:
		return Permanent
	case errors.Is(err, context.DeadlineExceeded):
		return Deadline
	}
	return Retryable
}
