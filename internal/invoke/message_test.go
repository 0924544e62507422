package invoke

import (
	"errors"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func TestErrorMessage(t *testing.T) {
	secret := errors.New("db password rejected")
	tests := []struct {
		name   string
		expose bool
		err    error
		want   string
	}{
		{"retryable hidden", false, secret, "the function failed"},
		{"permanent hidden", false, core.Permanent(secret), "the function failed"},
		{"panic hidden", false, &core.PanicError{Value: "boom"}, "the function panicked"},
		{"exposed", true, secret, "db password rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := New(Config{ExposeErrors: tt.expose})
			if got := rt.ErrorMessage(tt.err); got != tt.want {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.want)
			}
		})
	}
}
