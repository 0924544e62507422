package jwtauth

import (
	"errors"

	"github.com/polyfn/polyfn/core/auth"
)

// Google's key sets and issuers.
const (
	// GoogleIAPKeys is the JWK Set of Identity-Aware Proxy assertions.
	GoogleIAPKeys = "https://www.gstatic.com/iap/verify/public_key-jwk"
	// GoogleIAPIssuer is the iss of Identity-Aware Proxy assertions.
	GoogleIAPIssuer = "https://cloud.google.com/iap"
	// GoogleKeys is the JWK Set of Google-signed ID tokens.
	GoogleKeys = "https://www.googleapis.com/oauth2/v3/certs"
)

// GoogleIAP returns the Config of Identity-Aware Proxy assertions, read
// from the x-goog-iap-jwt-assertion header: ES256, issued by
// GoogleIAPIssuer for audience, which is
// "/projects/NUMBER/global/backendServices/ID" behind a load balancer or
// "/projects/NUMBER/apps/PROJECT_ID" on App Engine.
func GoogleIAP(audience string) Config {
	return Config{
		JWKSURL:    GoogleIAPKeys,
		Issuers:    []string{GoogleIAPIssuer},
		Audiences:  []string{audience},
		Algorithms: []string{"ES256"},
		Header:     "X-Goog-Iap-Jwt-Assertion",
		Method:     auth.MethodGoogleIAP,
	}
}

// GoogleOIDC returns the Config of the Google-signed OIDC tokens that
// Pub/Sub push subscriptions, Eventarc triggers and Cloud Scheduler send
// as "Authorization: Bearer": issued by accounts.google.com for audience
// (the subscription's configured audience, by default the push endpoint's
// URL), for the service account serviceAccount, whose email Google has
// verified. Cloud Run, with IAM invoker checks on, verifies the token too;
// this checks which account sent it.
func GoogleOIDC(audience, serviceAccount string) Config {
	return Config{
		JWKSURL:    GoogleKeys,
		Issuers:    []string{"https://accounts.google.com", "accounts.google.com"},
		Audiences:  []string{audience},
		Algorithms: []string{"RS256"},
		Method:     auth.MethodGoogleOIDC,
		Check: func(claims map[string]any) error {
			if serviceAccount == "" {
				return errors.New("no service account is configured")
			}
			if email, _ := claims["email"].(string); email != serviceAccount {
				return errors.New("the token is not the configured service account's")
			}
			if v, _ := claims["email_verified"].(bool); !v {
				return errors.New("the token's email is not verified")
			}
			return nil
		},
	}
}
