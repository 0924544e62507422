// Package invctx holds the context keys that package core reads and package
// core/driver writes, so that only adapters can attach an invocation.
package invctx

// Key is the context key of the current *core.Invocation.
type Key struct{}
