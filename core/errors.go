package core

import (
	"errors"
	"fmt"
)

// ErrorKind says whether a failed invocation is worth retrying.
type ErrorKind int

const (
	// ErrorRetryable is the kind of an error that may succeed on a later
	// delivery. It is the kind of every error that carries no kind.
	ErrorRetryable ErrorKind = iota
	// ErrorPermanent is the kind of an error that will fail on every delivery
	// (bad input, a poison message). Adapters acknowledge or dead-letter such
	// a record where the cloud allows, instead of retrying it.
	ErrorPermanent
)

// String returns "retryable" or "permanent".
func (k ErrorKind) String() string {
	if k == ErrorPermanent {
		return "permanent"
	}
	return "retryable"
}

// Error is an error classified by kind. Reach it with errors.As:
//
//	if perr := (*core.Error)(nil); errors.As(err, &perr) { ... perr.Kind ... }
type Error struct {
	Kind ErrorKind
	Err  error
}

// Error returns the wrapped error's message.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Kind.String() + " error"
	}
	return e.Err.Error()
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as permanent: retrying the same input will not help.
// Permanent(nil) returns nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: ErrorPermanent, Err: err}
}

// Permanentf is Permanent(fmt.Errorf(format, args...)).
func Permanentf(format string, args ...any) error {
	return Permanent(fmt.Errorf(format, args...))
}

// Retryable marks err as retryable, overriding a permanent kind further down
// the chain. Retryable(nil) returns nil.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: ErrorRetryable, Err: err}
}

// ErrorKindOf returns the kind of the outermost *Error in err's chain, and
// ErrorRetryable when there is none. A *PanicError is retryable.
func ErrorKindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrorRetryable
}

// IsPermanent reports whether ErrorKindOf(err) is ErrorPermanent.
func IsPermanent(err error) bool { return err != nil && ErrorKindOf(err) == ErrorPermanent }

// PanicError is the error an invocation returns when its handler panicked.
// The App's panic recovery produces it; adapters report it like any error.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic, as runtime/debug.Stack gives it.
	Stack []byte
}

// Error returns "panic: " and the panic value.
func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through a panic(err).
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
