package jwtauth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/polyfn/polyfn/core/auth"
	"github.com/polyfn/polyfn/core/auth/jwtauth"
	"github.com/polyfn/polyfn/core/auth/jwtauth/jwtauthtest"
)

// TestGoogleOIDC: a Pub/Sub push or Eventarc token passes only for the
// configured audience and service account, with a verified email.
func TestGoogleOIDC(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	const aud, sa = "https://svc-abc-uc.a.run.app/", "pusher@proj.iam.gserviceaccount.com"
	c := jwtauth.GoogleOIDC(aud, sa)
	c.JWKSURL = iss.JWKSURL // the test's stand-in for Google's keys
	v, err := jwtauth.New(c)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(iss2, email string, verified any) map[string]any {
		c := iss.Claims("1234567890")
		c["iss"], c["aud"], c["email"] = iss2, aud, email
		if verified != nil {
			c["email_verified"] = verified
		}
		return c
	}
	tests := []struct {
		name   string
		claims map[string]any
		ok     bool
	}{
		{"push token", claims("https://accounts.google.com", sa, true), true},
		{"issuer without scheme", claims("accounts.google.com", sa, true), true},
		{"another account", claims("https://accounts.google.com", "other@proj.iam.gserviceaccount.com", true), false},
		{"email not verified", claims("https://accounts.google.com", sa, false), false},
		{"email_verified missing", claims("https://accounts.google.com", sa, nil), false},
		{"another issuer", claims("https://issuer.example", sa, true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", "Bearer "+iss.Token(t, "RS256", tt.claims, nil))
			p, err := v.Authenticate(r)
			if tt.ok != (err == nil) {
				t.Fatalf("principal %+v, error %v; want ok %v", p, err, tt.ok)
			}
			if err != nil && !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if tt.ok && (p.Method != auth.MethodGoogleOIDC || p.Subject != "1234567890") {
				t.Errorf("principal %+v", p)
			}
		})
	}
}

// TestGoogleIAP: the IAP assertion header, ES256 only.
func TestGoogleIAP(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	const aud = "/projects/123/global/backendServices/456"
	c := jwtauth.GoogleIAP(aud)
	c.JWKSURL = iss.JWKSURL
	v, err := jwtauth.New(c)
	if err != nil {
		t.Fatal(err)
	}
	claims := iss.Claims("accounts.google.com:1234")
	claims["iss"], claims["aud"], claims["email"] = jwtauth.GoogleIAPIssuer, aud, "ada@example.com"
	r := httptest.NewRequest("GET", "/", nil)
	if _, err := v.Authenticate(r); !errors.Is(err, auth.ErrNoCredentials) {
		t.Errorf("no assertion: %v", err)
	}
	r.Header.Set("X-Goog-Iap-Jwt-Assertion", iss.Token(t, "ES256", claims, nil))
	p, err := v.Authenticate(r)
	if err != nil || p.Method != auth.MethodGoogleIAP || p.Claims["email"] != "ada@example.com" {
		t.Fatalf("an ES256 assertion: %+v %v", p, err)
	}
	r.Header.Set("X-Goog-Iap-Jwt-Assertion", iss.Token(t, "RS256", claims, nil))
	if _, err := v.Authenticate(r); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("an RS256 assertion: %v", err)
	}
	if _, err := v.Verify(context.Background(), "x.y.z"); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("garbage: %v", err)
	}
}

// TestAnyIssuer: behind auth.Any, the app's own tokens and Google's push
// tokens are both accepted on one route, each by its own verifier, and a
// token of neither is refused.
func TestAnyIssuer(t *testing.T) {
	app, google := jwtauthtest.NewIssuer(t), jwtauthtest.NewIssuer(t)
	own, err := jwtauth.New(jwtauth.Config{JWKSURL: app.JWKSURL, Issuers: []string{app.Issuer}, Audiences: []string{app.Audience}})
	if err != nil {
		t.Fatal(err)
	}
	c := jwtauth.GoogleOIDC("https://svc.example/", "pusher@proj.iam.gserviceaccount.com")
	c.JWKSURL = google.JWKSURL
	push, err := jwtauth.New(c)
	if err != nil {
		t.Fatal(err)
	}
	pushClaims := google.Claims("1234")
	pushClaims["iss"], pushClaims["aud"] = "https://accounts.google.com", "https://svc.example/"
	pushClaims["email"], pushClaims["email_verified"] = "pusher@proj.iam.gserviceaccount.com", true
	either := auth.Any(own, push)
	tests := []struct {
		name, token, method string
	}{
		{"the app's token", app.Token(t, "ES256", app.Claims("ada"), nil), auth.MethodJWT},
		{"a push token", google.Token(t, "RS256", pushClaims, nil), auth.MethodGoogleOIDC},
		{"neither", google.Token(t, "RS256", google.Claims("x"), nil), ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tt.token)
		p, err := either.Authenticate(r)
		if tt.method == "" {
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("%s: %+v %v, want an invalid token", tt.name, p, err)
			}
			continue
		}
		if err != nil || p.Method != tt.method {
			t.Errorf("%s: %+v %v, want method %s", tt.name, p, err, tt.method)
		}
	}
}
