// Package auth authenticates the callers of an App's functions the same way
// on every cloud: it puts one Principal in the request's context, whether
// the caller showed a bearer JWT (package jwtauth), an API key, or an
// identity the platform vouches for (Azure EasyAuth, API Gateway
// authorizers), and refuses the rest with the answers of RFC 6750.
//
// Require turns an Authenticator into HTTP middleware for HTTP functions
// (core.App.UseHTTP, or around one handler) and for event functions served
// over HTTP (core.App.GuardEvents, or ProtectEvents):
//
//	keys, err := auth.APIKeys(auth.APIKeyConfig{Keys: map[string]string{"current": k1, "next": k2}})
//	...
//	app.UseHTTP(auth.Require(auth.Any(verifier, keys)))
//	auth.ProtectEvents(app, verifier)
//
// A refused request gets 401 with WWW-Authenticate: Bearer (and
// error="invalid_token" when it carried credentials that are not valid),
// or 403 with error="insufficient_scope" when it lacks a scope Require
// asks for, and a JSON body in the shape of every polyfn error
// ({"error":...,"kind":"permanent"}) that never repeats the credentials.
//
// This package imports no JWT library: binaries that verify JWTs import
// jwtauth, and only they link one.
package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// The methods by which a Principal was authenticated.
const (
	// MethodJWT is a bearer JSON Web Token verified against a key set.
	MethodJWT = "jwt"
	// MethodAPIKey is an API key.
	MethodAPIKey = "apikey"
	// MethodEasyAuth is Azure App Service authentication (EasyAuth), which
	// the platform performs before the request reaches the function.
	MethodEasyAuth = "easyauth"
	// MethodGoogleIAP is a Google Identity-Aware Proxy assertion.
	MethodGoogleIAP = "google-iap"
	// MethodGoogleOIDC is a Google-signed OIDC token: the identity of a
	// Pub/Sub push subscription, an Eventarc trigger or a service account.
	MethodGoogleOIDC = "google-oidc"
)

// A Principal is who made a request, as an Authenticator established it.
type Principal struct {
	// Subject identifies the caller: a JWT's sub, an API key's name, a
	// platform's user or object id.
	Subject string
	// Issuer is who vouches for the subject: a JWT's iss, a platform's
	// identity provider; empty for an API key.
	Issuer string
	// Method is how the caller was authenticated (MethodJWT, ...).
	Method string
	// Claims are the token's or the platform's claims, as decoded from
	// JSON; nil for an API key.
	Claims map[string]any
}

// Scopes returns the principal's OAuth scopes: the space-separated "scope"
// claim, or the "scp" claim as a string or a list (Microsoft, Okta), or
// the "scopes" claim as a list (API Gateway's HTTP API authorizer).
func (p *Principal) Scopes() []string {
	if p == nil {
		return nil
	}
	for _, name := range []string{"scope", "scp", "scopes"} {
		switch v := p.Claims[name].(type) {
		case string:
			return strings.Fields(v)
		case []string:
			return v
		case []any:
			out := make([]string, 0, len(v))
			for _, s := range v {
				if s, ok := s.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// HasScope reports whether the principal holds scope s.
func (p *Principal) HasScope(s string) bool { return slices.Contains(p.Scopes(), s) }

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal Require put in ctx, if any.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// An Authenticator establishes who sent a request. It returns an error
// wrapping ErrNoCredentials when the request carries none of the
// credentials it reads, ErrInvalidToken when they are not valid, and
// ErrUnavailable when it cannot decide now (a key set it cannot fetch).
// Its error text may name what is wrong; it must not hold the credentials.
type Authenticator interface {
	Authenticate(r *http.Request) (*Principal, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request) (*Principal, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (*Principal, error) { return f(r) }

var (
	// ErrNoCredentials: the request carries no credentials the
	// authenticator reads. Require answers 401.
	ErrNoCredentials = errors.New("no credentials")
	// ErrInvalidToken: the request's credentials are not valid (malformed,
	// expired, for another audience, badly signed, an unknown key).
	// Require answers 401 with error="invalid_token".
	ErrInvalidToken = errors.New("invalid credentials")
	// ErrInsufficientScope: the principal lacks a required scope. Require
	// answers 403 with error="insufficient_scope".
	ErrInsufficientScope = errors.New("insufficient scope")
	// ErrUnavailable: the authenticator cannot verify credentials now.
	// Require answers 503.
	ErrUnavailable = errors.New("authentication unavailable")
)

// Any returns an Authenticator that tries each of as in turn and returns
// the first principal, so that one route accepts several kinds of
// credentials (a JWT or an API key) or tokens of several issuers (the
// app's own and Google's OIDC tokens): each authenticator verifies the
// credentials it reads in full. When none accepts the request, the error
// is that of an authenticator that could not decide (ErrUnavailable), else
// the first that found invalid credentials, else ErrNoCredentials.
func Any(as ...Authenticator) Authenticator {
	return AuthenticatorFunc(func(r *http.Request) (*Principal, error) {
		var invalid, unavailable error
		for _, a := range as {
			p, err := a.Authenticate(r)
			switch {
			case err == nil && p != nil:
				return p, nil
			case errors.Is(err, ErrNoCredentials):
			case errors.Is(err, ErrUnavailable):
				if unavailable == nil {
					unavailable = err
				}
			case invalid == nil:
				invalid = err
				if invalid == nil {
					invalid = ErrInvalidToken
				}
			}
		}
		switch {
		case unavailable != nil:
			return nil, unavailable
		case invalid != nil:
			return nil, invalid
		}
		return nil, ErrNoCredentials
	})
}

// BearerToken returns the token of r's "Authorization: Bearer" header
// (RFC 6750 §2.1), or "" when it has none.
func BearerToken(r *http.Request) string {
	return bearer(r.Header.Get("Authorization"))
}

// bearer returns the token of an Authorization header value with the
// Bearer scheme, matched without regard to case.
func bearer(v string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}
