package auth

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
)

// Require returns HTTP middleware that lets a request through only when a
// authenticates it and the principal holds every one of scopes; the
// principal is in the request's context (FromContext) for the handler and,
// on an event route, for the event function. Otherwise it answers:
//
//   - 401 with WWW-Authenticate: Bearer when the request has no
//     credentials, adding error="invalid_token" when they are not valid;
//   - 403 with WWW-Authenticate: Bearer error="insufficient_scope" and the
//     scopes when one is missing;
//   - 503 when the authenticator cannot decide now (ErrUnavailable).
//
// The JSON body names the failure in general terms; the reason goes to
// the invocation's log, never the credentials.
func Require(a Authenticator, scopes ...string) core.HTTPMiddleware {
	scopes = append([]string(nil), scopes...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := a.Authenticate(r)
			if err == nil && p == nil {
				err = ErrInvalidToken // an Authenticator must not return neither
			}
			if err == nil {
				for _, s := range scopes {
					if !p.HasScope(s) {
						err = errors.Join(ErrInsufficientScope, errors.New("the principal lacks scope "+s))
						break
					}
				}
			}
			if err != nil {
				refuse(w, r, err, scopes)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// ProtectEvents makes app's event functions require credentials that a
// authenticates (and scopes) where adapters serve them over HTTP: see
// core.App.GuardEvents. On Cloud Run, Knative or a laptop, the local and
// Google adapters then answer 401 to a delivery without them.
func ProtectEvents(app *core.App, a Authenticator, scopes ...string) {
	app.GuardEvents(Require(a, scopes...))
}

// refuse answers a request that Require does not let through.
func refuse(w http.ResponseWriter, r *http.Request, err error, scopes []string) {
	status, msg, challenge := http.StatusUnauthorized, "credentials are required", `Bearer`
	switch {
	case errors.Is(err, ErrInsufficientScope):
		status, msg = http.StatusForbidden, "the credentials lack a required scope"
		challenge = `Bearer error="insufficient_scope", scope="` + joinScopes(scopes) + `"`
	case errors.Is(err, ErrUnavailable):
		status, msg, challenge = http.StatusServiceUnavailable, "credentials cannot be verified now", ""
	case errors.Is(err, ErrNoCredentials):
	default:
		msg, challenge = "the credentials are not valid", `Bearer error="invalid_token"`
	}
	inv := core.InvocationFrom(r.Context())
	if inv.Logger != nil {
		inv.Logger.LogAttrs(r.Context(), slog.LevelWarn, "request rejected",
			slog.String(invoke.KeyError, "authentication: "+err.Error()), slog.Int(invoke.KeyStatus, status))
	}
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	kind := driver.Permanent // the same credentials fail again
	if status == http.StatusServiceUnavailable {
		kind = driver.Retryable
	}
	invoke.WriteError(w, status, msg, kind, inv.ID)
}

// joinScopes joins scopes with spaces, leaving out any that a quoted
// string of a challenge cannot carry.
func joinScopes(scopes []string) string {
	b := make([]byte, 0, 64)
	for _, s := range scopes {
		ok := s != ""
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= ' ' || c == '"' || c == '\\' || c >= 0x7f {
				ok = false
			}
		}
		if !ok {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	return string(b)
}
