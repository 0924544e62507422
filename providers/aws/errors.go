package aws

import (
	"context"
	"errors"

	"github.com/polyfn/polyfn/core"
)

// ErrMalformedPayload is wrapped by every error about a payload that is not
// valid JSON or does not have the shape of its source.
var ErrMalformedPayload = errors.New("aws: malformed payload")

// ErrUnsupportedPayload is wrapped by the error about a payload whose source
// polyfn does not know, or that does not fit the function it was sent to.
var ErrUnsupportedPayload = errors.New("aws: unsupported payload")

// The errorType values the Lambda adapter reports. Step Functions Retry and
// Catch blocks, and Lambda destinations, can match on them.
const (
	ErrorTypeInvalidPayload     = "Polyfn.InvalidPayload"
	ErrorTypeUnsupportedPayload = "Polyfn.UnsupportedPayload"
	ErrorTypeHandler            = "Polyfn.HandlerError"
	ErrorTypePermanent          = "Polyfn.PermanentError"
	ErrorTypePanic              = "Polyfn.Panic"
	ErrorTypeTimeout            = "Polyfn.Timeout"
	ErrorTypeInvalidReply       = "Polyfn.InvalidReply"
)

// An ErrorTyper is an error that names its own Lambda errorType. A handler
// returns one to control what Step Functions and Lambda destinations see.
type ErrorTyper interface {
	error
	ErrorType() string
}

// ErrorType returns the Lambda errorType for an error a function or the
// adapter produced: the ErrorType of the first ErrorTyper in err's chain,
// else ErrorTypeInvalidPayload or ErrorTypeUnsupportedPayload for decoding
// errors, ErrorTypePanic for a *core.PanicError, ErrorTypeTimeout for a
// deadline, ErrorTypePermanent for a permanent error (core.IsPermanent) and
// ErrorTypeHandler for anything else. It never returns "" or "errorString".
func ErrorType(err error) string {
	var et ErrorTyper
	var pe *core.PanicError
	switch {
	case errors.As(err, &et) && et.ErrorType() != "":
		return et.ErrorType()
	case errors.Is(err, ErrMalformedPayload):
		return ErrorTypeInvalidPayload
	case errors.Is(err, ErrUnsupportedPayload):
		return ErrorTypeUnsupportedPayload
	case errors.As(err, &pe):
		return ErrorTypePanic
	case errors.Is(err, context.DeadlineExceeded):
		return ErrorTypeTimeout
	case core.IsPermanent(err):
		return ErrorTypePermanent
	}
	return ErrorTypeHandler
}
