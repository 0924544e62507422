// Package jwtauth verifies bearer JSON Web Tokens against a JWK Set, for
// package auth: an auth.Authenticator that puts the token's subject,
// issuer and claims in the request's auth.Principal.
//
// It checks the signature with a key of the configured set only (the
// token's jwk, jku, x5u and x5c headers are refused, never fetched), with
// an algorithm from the allow-list that also fits the key's type and
// curve; it refuses a token with a crit header, since it implements no
// extension; it requires exp, and checks nbf, iat, the issuer and the
// audience with a small leeway. The key set is fetched on first use,
// refreshed in the background, and fetched again for an unknown key id at
// most once per MinRefreshInterval.
//
// Signatures are checked by github.com/golang-jwt/jwt/v5; only binaries
// that import this package link it.
package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/polyfn/polyfn/core/auth"
)

// Defaults of Config.
const (
	DefaultLeeway             = 30 * time.Second
	DefaultRefreshInterval    = time.Hour
	DefaultMinRefreshInterval = time.Minute
	DefaultMaxTokenBytes      = 8 << 10
)

// MaxLeeway bounds Config.Leeway.
const MaxLeeway = 5 * time.Minute

// Config configures a Verifier.
type Config struct {
	// JWKSURL is the HTTPS URL of the issuer's JWK Set (jwks_uri in its
	// OpenID configuration). Required; http is accepted for loopback
	// addresses only.
	JWKSURL string
	// Issuers are the accepted values of the iss claim; at least one.
	Issuers []string
	// Audiences are the accepted values of the aud claim: the token must
	// name at least one. At least one is required.
	Audiences []string
	// Algorithms is the allow-list of signature algorithms; nil means
	// RS256 and ES256. A key verifies only the algorithms of its type
	// (RSA: RS*, PS*; EC: the ES* of its curve; Ed25519: EdDSA) and its own
	// alg when it names one. HS* and none are never accepted.
	Algorithms []string
	// Leeway is the clock skew allowed on exp, nbf and iat; 0 means
	// DefaultLeeway, and it may not exceed MaxLeeway.
	Leeway time.Duration
	// RefreshInterval is how old the key set grows before a request
	// refreshes it in the background; 0 means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between fetches of the key set
	// for tokens with an unknown key id; 0 means
	// DefaultMinRefreshInterval.
	MinRefreshInterval time.Duration
	// Header is the request header that carries the token; empty means
	// Authorization. Authorization and X-Serverless-Authorization hold
	// "Bearer <token>", any other header the bare token.
	Header string
	// Method is the principal's Method; empty means auth.MethodJWT.
	Method string
	// Check, when set, is called with the claims of a token that passed
	// every other check; an error refuses the token.
	Check func(claims map[string]any) error
	// MaxTokenBytes bounds a token's length; 0 means
	// DefaultMaxTokenBytes.
	MaxTokenBytes int
	// HTTPClient fetches the key set; nil means a client with a 10-second
	// timeout.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// A Verifier verifies tokens as its Config says. It is safe for
// concurrent use.
type Verifier struct {
	c      Config
	set    *keySet
	parser *jwt.Parser
	bearer bool
}

var validAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// New returns a Verifier. It fetches nothing: the key set is fetched on
// the first token. It returns an error naming the setting that is missing
// or wrong.
func New(c Config) (*Verifier, error) {
	if err := check(&c); err != nil {
		return nil, fmt.Errorf("jwtauth: %w", err)
	}
	v := &Verifier{c: c, bearer: strings.EqualFold(c.Header, "Authorization") || strings.EqualFold(c.Header, "X-Serverless-Authorization")}
	v.set = &keySet{url: c.JWKSURL, client: c.HTTPClient, interval: c.RefreshInterval, minGap: c.MinRefreshInterval, now: c.Now}
	// The audience and issuer are checked below, against several values;
	// the parser checks the signature, exp (required), nbf and iat.
	v.parser = jwt.NewParser(jwt.WithValidMethods(c.Algorithms), jwt.WithLeeway(c.Leeway),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(c.Now), jwt.WithAudience(c.Audiences...))
	return v, nil
}

// check validates c and fills in its defaults.
func check(c *Config) error {
	u, err := url.Parse(c.JWKSURL)
	switch {
	case c.JWKSURL == "":
		return errors.New("JWKSURL is required")
	case err != nil || u.Host == "":
		return fmt.Errorf("JWKSURL %q is not a URL", c.JWKSURL)
	case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
		return fmt.Errorf("JWKSURL %q: the key set must be fetched over https", c.JWKSURL)
	case len(c.Issuers) == 0 || slices.Contains(c.Issuers, ""):
		return errors.New("Issuers is required: the accepted iss values")
	case len(c.Audiences) == 0 || slices.Contains(c.Audiences, ""):
		return errors.New("Audiences is required: the accepted aud values")
	case c.Leeway < 0 || c.Leeway > MaxLeeway:
		return fmt.Errorf("Leeway %v: it must be between 0 and %v", c.Leeway, MaxLeeway)
	}
	if c.Algorithms == nil {
		c.Algorithms = []string{"RS256", "ES256"}
	}
	if len(c.Algorithms) == 0 {
		return errors.New("Algorithms is empty")
	}
	for _, a := range c.Algorithms {
		if !slices.Contains(validAlgs, a) {
			return fmt.Errorf("algorithm %q is not an asymmetric signature algorithm this package verifies (%s)", a, strings.Join(validAlgs, ", "))
		}
	}
	if c.Leeway == 0 {
		c.Leeway = DefaultLeeway
	}
	if c.RefreshInterval <= 0 {
		c.RefreshInterval = DefaultRefreshInterval
	}
	if c.MinRefreshInterval <= 0 {
		c.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if c.MaxTokenBytes <= 0 {
		c.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if c.Header == "" {
		c.Header = "Authorization"
	}
	if c.Method == "" {
		c.Method = auth.MethodJWT
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// Authenticate verifies the token of r's configured header.
func (v *Verifier) Authenticate(r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get(v.c.Header)
	if h == "" {
		return nil, auth.ErrNoCredentials
	}
	tok := strings.TrimSpace(h)
	if v.bearer {
		if tok = auth.BearerToken(&http.Request{Header: http.Header{"Authorization": {h}}}); tok == "" {
			return nil, auth.ErrNoCredentials // another scheme: not ours
		}
	}
	return v.Verify(r.Context(), tok)
}

// Verify verifies token and returns its principal. Its error wraps
// auth.ErrInvalidToken, or auth.ErrUnavailable when the key set cannot be
// fetched; its text names the failed check, never the token.
func (v *Verifier) Verify(ctx context.Context, token string) (*auth.Principal, error) {
	if len(token) > v.c.MaxTokenBytes {
		return nil, fmt.Errorf("%w: the token exceeds %d bytes", auth.ErrInvalidToken, v.c.MaxTokenBytes)
	}
	claims := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) { return v.keyFor(ctx, t) })
	if err != nil {
		if errors.Is(err, auth.ErrUnavailable) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", auth.ErrInvalidToken, err)
	}
	iss, _ := claims["iss"].(string)
	if !slices.Contains(v.c.Issuers, iss) {
		return nil, fmt.Errorf("%w: the token's issuer is not accepted", auth.ErrInvalidToken)
	}
	if v.c.Check != nil {
		if err := v.c.Check(claims); err != nil {
			return nil, fmt.Errorf("%w: %w", auth.ErrInvalidToken, err)
		}
	}
	sub, _ := claims["sub"].(string)
	return &auth.Principal{Subject: sub, Issuer: iss, Method: v.c.Method, Claims: claims}, nil
}

// keyFor returns the key of the set that verifies t, after refusing the
// headers this package does not trust or implement.
func (v *Verifier) keyFor(ctx context.Context, t *jwt.Token) (any, error) {
	for _, h := range []string{"jwk", "jku", "x5u", "x5c"} {
		if _, ok := t.Header[h]; ok {
			return nil, fmt.Errorf("the token carries a %q header: keys come from the configured set only", h)
		}
	}
	if _, ok := t.Header["crit"]; ok {
		return nil, errors.New("the token has a crit header, and no extension is implemented")
	}
	kid, ok := t.Header["kid"].(string)
	if !ok && t.Header["kid"] != nil {
		return nil, errors.New("the token's kid is not a string")
	}
	k, err := v.set.lookup(ctx, kid)
	if err != nil {
		return nil, err
	}
	alg, _ := t.Header["alg"].(string)
	if !slices.Contains(k.algs, alg) {
		return nil, fmt.Errorf("algorithm %q does not fit the key", alg)
	}
	return k.pub, nil
}
