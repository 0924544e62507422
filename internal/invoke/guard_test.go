package invoke

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

type guardKey struct{}

// guardedFunction binds an event function that records what its context
// holds under guardKey; with guard, its App has two event guards: the
// outer one refuses requests without X-Pass, the inner one adds the
// function's name and provider as the guards see them.
func guardedFunction(t *testing.T, guard bool, saw *string) *Function {
	return newFunction(t, Config{Provider: "test"}, func(a *core.App) {
		core.Must(a.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
			*saw = "(none)"
			if v, ok := ctx.Value(guardKey{}).(string); ok {
				*saw = v
			}
			return nil, nil
		}))
		if !guard {
			return
		}
		a.GuardEvents(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Pass") == "" {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), guardKey{}, "outer")))
			})
		}, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inv := core.InvocationFrom(r.Context())
				v := r.Context().Value(guardKey{}).(string) + "+inner:" + inv.Function + "/" + inv.Provider
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), guardKey{}, v)))
			})
		})
	})
}

// TestEventHandlerGuards: an App's event guards run in front of
// ServeEvents, outermost first, see the function's name and provider, can
// refuse a request before its body is read, and what they put in the
// context reaches the event function; without guards the events are
// served as before. EventHandler and ServeGuarded behave alike.
func TestEventHandlerGuards(t *testing.T) {
	tests := []struct {
		name   string
		guard  bool
		header string
		code   int
		saw    string // what the function found in its context; "" when it did not run
	}{
		{"no guard", false, "", 204, "(none)"},
		{"refused", true, "", 401, ""},
		{"admitted", true, "let-me-in", 204, "outer+inner:f/test"},
	}
	for _, tt := range tests {
		for _, via := range []string{"EventHandler", "ServeGuarded"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				var saw string
				fn := guardedFunction(t, tt.guard, &saw)
				h := fn.EventHandler(func(*http.Request) Start { return Start{} }, nil)
				if via == "ServeGuarded" {
					h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn.ServeGuarded(w, r, Start{}, nil) })
				}
				r := httptest.NewRequest("POST", "/f", strings.NewReader(`{}`))
				for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Source": "/s", "Ce-Type": "t", "Content-Type": "application/json"} {
					r.Header.Set(k, v)
				}
				if tt.header != "" {
					r.Header.Set("X-Pass", tt.header)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != tt.code || saw != tt.saw {
					t.Errorf("%d, the function saw %q; want %d and %q", w.Code, saw, tt.code, tt.saw)
				}
			})
		}
	}
}

// TestPlatformToken: with POLYFN_PLATFORM_TOKEN set (as polyfn invoke sets
// it for the process it starts), a delivery carrying that token passes the
// event guards and the function never sees the header; a wrong token, no
// token, or a token shorter than 32 bytes in the environment leaves the
// guards in charge.
func TestPlatformToken(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name, env, header string
		code              int
	}{
		{"the run's token", token, token, 204},
		{"a wrong token", token, token[:31] + "X", 401},
		{"no token sent", token, "", 401},
		{"no token set", "", token, 401},
		{"too short to trust", "short", "short", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvPlatformToken, tt.env)
			var saw string
			fn := guardedFunction(t, true, &saw)
			h := fn.EventHandler(func(*http.Request) Start { return Start{} }, nil)
			r := httptest.NewRequest("POST", "/f", strings.NewReader(`{}`))
			for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Source": "/s", "Ce-Type": "t", "Content-Type": "application/json"} {
				r.Header.Set(k, v)
			}
			if tt.header != "" {
				r.Header.Set(HeaderPlatformToken, tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code {
				t.Fatalf("status %d, want %d", w.Code, tt.code)
			}
			if tt.code == 204 && r.Header.Get(HeaderPlatformToken) != "" {
				t.Errorf("the token reached the function's request")
			}
		})
	}
}
