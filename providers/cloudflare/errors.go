package cloudflare

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error about a payload or a declaration
// this package cannot translate.
var ErrInvalid = errors.New("cloudflare: invalid input")

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
