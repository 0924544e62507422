package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestGuardEvents: an App's event guards wrap its event functions' HTTP
// handlers in order, and leave HTTP functions and other Apps alone.
func TestGuardEvents(t *testing.T) {
	app, other := core.NewApp(), core.NewApp()
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	core.Must(app.Event("ev", nop))
	core.Must(app.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/web")))
	core.Must(other.Event("ev", nop))
	mark := func(name string) core.HTTPMiddleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Guard", name)
				next.ServeHTTP(w, r)
			})
		}
	}
	app.GuardEvents(mark("a"))
	app.GuardEvents(mark("b"), mark("c"))
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Add("X-Guard", "fn") })
	tests := []struct {
		app  *core.App
		fn   string
		want string
	}{
		{app, "ev", "a,b,c,fn"},
		{app, "web", "fn"},
		{other, "ev", "fn"},
	}
	for _, tt := range tests {
		f, _ := tt.app.Function(tt.fn)
		w := httptest.NewRecorder()
		f.EventGuard(inner).ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
		if got := strings.Join(w.Header().Values("X-Guard"), ","); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.fn, got, tt.want)
		}
	}
}
