// Package jwtauthtest is a test kit for code that verifies JWTs: an
// Issuer that serves a JWK Set on a loopback port and signs tokens with
// its RSA and EC keys, and the tokens of the attacks a verifier must
// refuse (Attacks), so that the same table runs against package jwtauth
// and against an App on each adapter's harness.
package jwtauthtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The key ids of the Issuer's set.
const (
	KidRSA = "rsa-1"
	KidEC  = "ec-1"
)

// An Issuer signs tokens and serves its JWK Set at JWKSURL. Its zero
// value is not usable: call NewIssuer.
type Issuer struct {
	// JWKSURL is the URL of the set, Issuer and Audience the iss and aud
	// of the tokens Token signs.
	JWKSURL, Issuer, Audience string
	// RSA and EC are the set's keys (KidRSA, KidEC).
	RSA *rsa.PrivateKey
	EC  *ecdsa.PrivateKey

	rogueURL string
	fetches  atomic.Int64
	rogue    atomic.Int64
	mu       sync.Mutex
	fail     bool
	extra    []map[string]string
}

// NewIssuer starts an Issuer, and a rogue key set server that no verifier
// may ever fetch from; t's cleanup stops both.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	i := &Issuer{Issuer: "https://issuer.example", Audience: "polyfn-test"}
	var err error
	if i.RSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if i.EC, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i.fetches.Add(1)
		i.mu.Lock()
		fail, extra := i.fail, i.extra
		i.mu.Unlock()
		if fail {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		keys := append([]map[string]string{RSAJWK(KidRSA, &i.RSA.PublicKey), ECJWK(KidEC, &i.EC.PublicKey)}, extra...)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	}))
	t.Cleanup(srv.Close)
	rogue := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i.rogue.Add(1)
		http.Error(w, "a verifier fetched a key set named by a token", http.StatusTeapot)
	}))
	t.Cleanup(rogue.Close)
	i.JWKSURL, i.rogueURL = srv.URL+"/jwks.json", rogue.URL+"/jwks.json"
	return i
}

// Fetches returns how many times the set was fetched.
func (i *Issuer) Fetches() int { return int(i.fetches.Load()) }

// RogueFetches returns how many times anyone fetched from the rogue
// server, the jku of an attack token: it must stay 0.
func (i *Issuer) RogueFetches() int { return int(i.rogue.Load()) }

// SetFailing makes the set's server answer 503 while fail is true.
func (i *Issuer) SetFailing(fail bool) {
	i.mu.Lock()
	i.fail = fail
	i.mu.Unlock()
}

// AddKey adds a JWK to the set the server serves (a rotated key).
func (i *Issuer) AddKey(jwk map[string]string) {
	i.mu.Lock()
	i.extra = append(i.extra, jwk)
	i.mu.Unlock()
}

// Claims returns valid claims for subject sub: the Issuer's iss and aud,
// issued now and expiring in 5 minutes.
func (i *Issuer) Claims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"iss": i.Issuer, "aud": i.Audience, "sub": sub, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
}

// Token signs claims with alg: RS256 (or another RS*/PS*) with the RSA
// key, ES256 with the EC key; header entries are added to the token's
// header (a "kid" there replaces the default).
func (i *Issuer) Token(t testing.TB, alg string, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	m := jwt.GetSigningMethod(alg)
	var key any = i.RSA
	kid := KidRSA
	if strings.HasPrefix(alg, "ES") {
		key, kid = i.EC, KidEC
	}
	return Sign(t, m, key, kid, claims, header)
}

// Sign signs claims with method m and key, with kid and header in the
// token's header.
func Sign(t testing.TB, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	tok.Header["kid"] = kid
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RSAJWK returns the public JWK of an RSA key.
func RSAJWK(kid string, k *rsa.PublicKey) map[string]string {
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

// ECJWK returns the public JWK of a P-256 key.
func ECJWK(kid string, k *ecdsa.PublicKey) map[string]string {
	x, y := make([]byte, 32), make([]byte, 32)
	k.X.FillBytes(x)
	k.Y.FillBytes(y)
	return map[string]string{"kty": "EC", "kid": kid, "use": "sig", "crv": "P-256", "x": b64(x), "y": b64(y)}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// An Attack is a token a verifier of the Issuer's set, iss and aud must
// refuse.
type Attack struct {
	Name  string
	Token string
}

// Attacks returns the tokens of the attack checklist, each to be
// refused: alg none, HS256 keyed with the RSA public key, expired,
// not yet valid, without exp, issued in the future, wrong and missing aud
// and iss, an unknown crit header, an embedded jwk, a jku naming the rogue
// set, the right kid with another key, an algorithm that does not fit
// the key, and malformed tokens.
func (i *Issuer) Attacks(t testing.TB) []Attack {
	t.Helper()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	with := func(k string, v any) jwt.MapClaims {
		c := i.Claims("mallory")
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	der, err := x509.MarshalPKIXPublicKey(&i.RSA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	valid := i.Token(t, "RS256", i.Claims("mallory"), nil)
	parts := strings.Split(valid, ".")
	return []Attack{
		{"alg none", Sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, KidRSA, i.Claims("mallory"), nil)},
		{"HS256 keyed with the RSA public key", Sign(t, jwt.SigningMethodHS256, pubPEM, KidRSA, i.Claims("mallory"), nil)},
		{"HS256 keyed with the RSA modulus", Sign(t, jwt.SigningMethodHS256, []byte(RSAJWK(KidRSA, &i.RSA.PublicKey)["n"]), KidRSA, i.Claims("mallory"), nil)},
		{"expired", i.Token(t, "RS256", with("exp", now.Add(-2*time.Minute).Unix()), nil)},
		{"not yet valid", i.Token(t, "ES256", with("nbf", now.Add(2*time.Minute).Unix()), nil)},
		{"no exp", i.Token(t, "RS256", with("exp", nil), nil)},
		{"issued in the future", i.Token(t, "RS256", with("iat", now.Add(10*time.Minute).Unix()), nil)},
		{"wrong aud", i.Token(t, "RS256", with("aud", "someone-else"), nil)},
		{"no aud", i.Token(t, "ES256", with("aud", nil), nil)},
		{"wrong iss", i.Token(t, "RS256", with("iss", "https://evil.example"), nil)},
		{"no iss", i.Token(t, "RS256", with("iss", nil), nil)},
		{"unknown crit", i.Token(t, "RS256", i.Claims("mallory"), map[string]any{"crit": []string{"exp"}, "exp": 1})},
		{"embedded jwk", Sign(t, jwt.SigningMethodRS256, other, "attacker", i.Claims("mallory"), map[string]any{"jwk": RSAJWK("attacker", &other.PublicKey)})},
		{"embedded jwk with the set's kid", Sign(t, jwt.SigningMethodRS256, other, KidRSA, i.Claims("mallory"), map[string]any{"jwk": RSAJWK(KidRSA, &other.PublicKey)})},
		{"jku to another set", Sign(t, jwt.SigningMethodRS256, other, "rogue", i.Claims("mallory"), map[string]any{"jku": i.rogueURL})},
		{"x5u to another set", Sign(t, jwt.SigningMethodRS256, other, "rogue", i.Claims("mallory"), map[string]any{"x5u": i.rogueURL})},
		{"right kid, other key", Sign(t, jwt.SigningMethodRS256, other, KidRSA, i.Claims("mallory"), nil)},
		{"ES256 header on the RSA key", Sign(t, jwt.SigningMethodES256, i.EC, KidRSA, i.Claims("mallory"), nil)},
		{"unknown kid", Sign(t, jwt.SigningMethodRS256, other, "kid-unknown", i.Claims("mallory"), nil)},
		{"kid as a path", Sign(t, jwt.SigningMethodRS256, other, "../../etc/passwd", i.Claims("mallory"), nil)},
		{"malformed: empty", ""},
		{"malformed: one part", "abc"},
		{"malformed: two parts", parts[0] + "." + parts[1]},
		{"malformed: bad base64", parts[0] + ".!!!." + parts[2]},
		{"malformed: header not JSON", b64([]byte("not json")) + "." + parts[1] + "." + parts[2]},
		{"malformed: signature cut", parts[0] + "." + parts[1] + "." + parts[2][:10]},
		{"malformed: claims changed", parts[0] + "." + b64([]byte(`{"iss":"`+i.Issuer+`","aud":"`+i.Audience+`","sub":"admin","exp":9999999999}`)) + "." + parts[2]},
		{"oversized", parts[0] + "." + strings.Repeat("A", 9000) + "." + parts[2]},
	}
}
