package shop

import (
	"fmt"
	"net/http"

	"github.com/polyfn/polyfn/core/auth"
	"github.com/polyfn/polyfn/core/auth/jwtauth"
)

// The authentication settings. JWT is on when SettingJWKSURL is set, and
// then the issuer and audience are required; the API key is always
// accepted, in X-Api-Key. Google's push identity is accepted on the event
// functions when SettingPushServiceAccount is set.
const (
	// SettingJWKSURL is the URL of the JWK Set that signs callers' bearer
	// tokens (the identity provider's jwks_uri).
	SettingJWKSURL = "SHOP_JWKS_URL"
	// SettingJWTIssuer is the iss the tokens must carry.
	SettingJWTIssuer = "SHOP_JWT_ISSUER"
	// SettingJWTAudience is the aud the tokens must carry.
	SettingJWTAudience = "SHOP_JWT_AUDIENCE"
	// SettingPushServiceAccount is the service account whose Google OIDC
	// token Pub/Sub push subscriptions and Eventarc triggers send: set it
	// when the event functions run on Cloud Run or Cloud Functions.
	SettingPushServiceAccount = "SHOP_PUSH_SERVICE_ACCOUNT"
	// SettingPushAudience is the aud of those tokens: the subscription's
	// audience, by default the push endpoint's URL.
	SettingPushAudience = "SHOP_PUSH_AUDIENCE"
)

// APIKeyName is the Subject of a caller that showed SHOP_API_KEY.
const APIKeyName = "shop-api-key"

// authSettings are the values of the authentication settings.
type authSettings struct {
	key, jwksURL, issuer, audience, pushAccount, pushAudience string
}

// authenticators builds the app's authenticators from its settings: for
// the API, a bearer JWT verified against SHOP_JWKS_URL when it is set, or
// an API key in X-Api-Key; for the event functions, the same or, when
// SHOP_PUSH_SERVICE_ACCOUNT is set, the Google OIDC token of that account
// (verified against googleKeys, Google's key set when empty).
func authenticators(c authSettings, googleKeys string) (api, events auth.Authenticator, err error) {
	keys, err := auth.APIKeys(auth.APIKeyConfig{Keys: map[string]string{APIKeyName: c.key}})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", SettingAPIKey, err)
	}
	api = keys
	if c.jwksURL != "" {
		if err := required(SettingJWKSURL, SettingJWTIssuer, c.issuer, SettingJWTAudience, c.audience); err != nil {
			return nil, nil, err
		}
		v, err := jwtauth.New(jwtauth.Config{JWKSURL: c.jwksURL, Issuers: []string{c.issuer}, Audiences: []string{c.audience}})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", SettingJWKSURL, err)
		}
		api = auth.Any(v, keys)
	}
	if c.pushAccount == "" {
		return api, api, nil
	}
	if err := required(SettingPushServiceAccount, SettingPushAudience, c.pushAudience); err != nil {
		return nil, nil, err
	}
	gc := jwtauth.GoogleOIDC(c.pushAudience, c.pushAccount)
	if googleKeys != "" {
		gc.JWKSURL = googleKeys
	}
	push, err := jwtauth.New(gc)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", SettingPushServiceAccount, err)
	}
	return api, auth.Any(push, api), nil
}

// required returns an error naming the first of the name, value pairs
// whose value is empty, which setting with needs.
func required(with string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("%s is required when %s is set", pairs[i], with)
		}
	}
	return nil
}

// deferred returns the authenticator *a, which the start hook sets before any
// request arrives.
func deferred(a *auth.Authenticator) auth.Authenticator {
	return auth.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		if *a == nil {
			return nil, fmt.Errorf("%w: the app is not started", auth.ErrUnavailable)
		}
		return (*a).Authenticate(r)
	})
}

// whoami answers who the caller is.
func whoami(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"subject": p.Subject, "method": p.Method})
}
