package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestErrorKinds(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want ErrorKind
	}{
		{"plain error is retryable", base, ErrorRetryable},
		{"permanent", Permanent(base), ErrorPermanent},
		{"wrapped permanent", fmt.Errorf("ctx: %w", Permanent(base)), ErrorPermanent},
		{"retryable overrides inner permanent", Retryable(Permanent(base)), ErrorRetryable},
		{"permanentf", Permanentf("bad %d", 1), ErrorPermanent},
		{"panic", &PanicError{Value: "x"}, ErrorRetryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorKindOf(tt.err); got != tt.want {
				t.Fatalf("KindOf = %v, want %v", got, tt.want)
			}
			if IsPermanent(tt.err) != (tt.want == ErrorPermanent) {
				t.Fatal("IsPermanent disagrees with KindOf")
			}
		})
	}
	if Permanent(nil) != nil || Retryable(nil) != nil || IsPermanent(nil) {
		t.Fatal("nil must stay nil")
	}
	if !errors.Is(Permanent(base), base) {
		t.Fatal("Permanent must wrap its error")
	}
	if got := Permanent(base).Error(); got != "boom" {
		t.Fatalf("Error() = %q", got)
	}
	var perr *Error
	if !errors.As(fmt.Errorf("x: %w", Permanent(base)), &perr) || perr.Kind != ErrorPermanent {
		t.Fatal("errors.As must reach *Error")
	}
}

func TestPanicRecoveryEvent(t *testing.T) {
	sentinel := errors.New("sentinel")
	a := NewApp()
	Must(a.Event("str", func(context.Context, Event) (*Event, error) { panic("kaboom") }))
	Must(a.Event("err", func(context.Context, Event) (*Event, error) { panic(sentinel) }))

	f, _ := a.Function("str")
	_, err := f.EventFunc()(context.Background(), NewEventForTest())
	var p *PanicError
	if !errors.As(err, &p) || p.Value != "kaboom" || !strings.Contains(string(p.Stack), "TestPanicRecoveryEvent") {
		t.Fatalf("got %v, want a *PanicError with value and stack", err)
	}
	if err.Error() != "panic: kaboom" {
		t.Fatalf("Error() = %q", err)
	}
	f, _ = a.Function("err")
	if _, err := f.EventFunc()(context.Background(), NewEventForTest()); !errors.Is(err, sentinel) {
		t.Fatalf("panic(err) must unwrap to err, got %v", err)
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var trace []string
	mw := func(name string) Middleware {
		return func(next EventFunc) EventFunc {
			return func(ctx context.Context, e Event) (*Event, error) {
				trace = append(trace, name+">")
				r, err := next(ctx, e)
				trace = append(trace, "<"+name)
				return r, err
			}
		}
	}
	hmw := func(name string) HTTPMiddleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				trace = append(trace, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	a := NewApp()
	a.Use(mw("a"), mw("b"))
	a.UseHTTP(hmw("h1"), hmw("h2"))
	Must(a.Event("e", func(context.Context, Event) (*Event, error) { trace = append(trace, "fn"); return nil, nil }))
	Must(a.HTTP("h", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		trace = append(trace, "handler")
		io.WriteString(w, "ok")
	})))

	f, _ := a.Function("e")
	if _, err := f.EventFunc()(context.Background(), NewEventForTest()); err != nil {
		t.Fatal(err)
	}
	h, _ := a.Function("h")
	h.HTTPHandler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/h", nil))
	if got, want := strings.Join(trace, " "), "a> b> fn <b <a h1 h2 handler"; got != want {
		t.Fatalf("order = %q, want %q", got, want)
	}
}

func TestInvocationFromEmptyContext(t *testing.T) {
	if got := InvocationFrom(context.Background()); got != (Invocation{}) {
		t.Fatalf("empty context gave %+v", got)
	}
}
