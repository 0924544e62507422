package core

import (
	"context"
	"runtime/debug"
)

// recoverEvent turns a panic in fn into a *PanicError result.
func recoverEvent(fn EventFunc) EventFunc {
	return func(ctx context.Context, e Event) (reply *Event, err error) {
		defer func() {
			if v := recover(); v != nil {
				reply, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return fn(ctx, e)
	}
}
