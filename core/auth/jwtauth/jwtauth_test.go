package jwtauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/polyfn/polyfn/core/auth"
	"github.com/polyfn/polyfn/core/auth/jwtauth"
	"github.com/polyfn/polyfn/core/auth/jwtauth/jwtauthtest"
)

func newVerifier(t *testing.T, iss *jwtauthtest.Issuer, edit func(*jwtauth.Config)) *jwtauth.Verifier {
	t.Helper()
	c := jwtauth.Config{JWKSURL: iss.JWKSURL, Issuers: []string{iss.Issuer}, Audiences: []string{iss.Audience}}
	if edit != nil {
		edit(&c)
	}
	v, err := jwtauth.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAttacks: every token of the attack checklist is refused as an
// invalid token, the rogue key set is never fetched, and the key set is
// fetched at most twice (once, then once more for the unknown kids).
func TestAttacks(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v := newVerifier(t, iss, nil)
	for _, alg := range []string{"RS256", "ES256"} {
		p, err := v.Verify(context.Background(), iss.Token(t, alg, iss.Claims("ada"), nil))
		if err != nil {
			t.Fatalf("a valid %s token: %v", alg, err)
		}
		if p.Subject != "ada" || p.Issuer != iss.Issuer || p.Method != auth.MethodJWT || p.Claims["aud"] != iss.Audience {
			t.Errorf("%s: principal %+v", alg, p)
		}
	}
	for _, a := range iss.Attacks(t) {
		t.Run(a.Name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), a.Token)
			if err == nil {
				t.Fatalf("accepted, principal %+v", p)
			}
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if a.Token != "" && len(a.Token) > 20 && strings.Contains(err.Error(), a.Token[len(a.Token)-20:]) {
				t.Errorf("the error repeats the token: %v", err)
			}
		})
	}
	if n := iss.RogueFetches(); n != 0 {
		t.Errorf("the key set a token named was fetched %d times", n)
	}
	if n := iss.Fetches(); n < 1 || n > 2 {
		t.Errorf("the key set was fetched %d times, want 1 or 2", n)
	}
}

// TestAlgorithmAllowList: an algorithm outside the allow-list is refused
// even with a key that fits it.
func TestAlgorithmAllowList(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v := newVerifier(t, iss, func(c *jwtauth.Config) { c.Algorithms = []string{"ES256"} })
	if _, err := v.Verify(context.Background(), iss.Token(t, "RS256", iss.Claims("ada"), nil)); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("RS256 outside the allow-list: %v", err)
	}
	if _, err := v.Verify(context.Background(), iss.Token(t, "ES256", iss.Claims("ada"), nil)); err != nil {
		t.Errorf("ES256: %v", err)
	}
	// The set's RSA key names RS256: PS256 does not fit it.
	v = newVerifier(t, iss, func(c *jwtauth.Config) { c.Algorithms = []string{"RS256", "PS256"} })
	if _, err := v.Verify(context.Background(), iss.Token(t, "PS256", iss.Claims("ada"), nil)); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("PS256 with a key whose alg is RS256: %v", err)
	}
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestUnknownKidFlood: a flood of tokens with unknown kids fetches the set
// once more per MinRefreshInterval, not once per token.
func TestUnknownKidFlood(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	clk := &clock{now: time.Now()}
	v := newVerifier(t, iss, func(c *jwtauth.Config) { c.Now = clk.Now })
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				tok := jwtauthtest.Sign(t, jwt.SigningMethodRS256, other, fmt.Sprintf("kid-%d-%d", g, i), iss.Claims("m"), nil)
				if _, err := v.Verify(context.Background(), tok); !errors.Is(err, auth.ErrInvalidToken) {
					t.Errorf("an unknown kid: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if n := iss.Fetches(); n > 2 {
		t.Errorf("200 tokens with unknown kids fetched the set %d times, want at most 2", n)
	}
	// After the minimum interval, a rotated key is found.
	next, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss.AddKey(jwtauthtest.RSAJWK("rsa-2", &next.PublicKey))
	tok := jwtauthtest.Sign(t, jwt.SigningMethodRS256, next, "rsa-2", iss.Claims("ada"), nil)
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("a new kid within the minimum interval: %v, want it refused", err)
	}
	clk.add(jwtauth.DefaultMinRefreshInterval)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Errorf("a rotated key after the minimum interval: %v", err)
	}
}

// TestBackgroundRefresh: once the set is older than the refresh interval,
// a request is answered from the cached set and a refresh runs behind it.
func TestBackgroundRefresh(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	clk := &clock{now: time.Now()}
	v := newVerifier(t, iss, func(c *jwtauth.Config) { c.Now = clk.Now; c.RefreshInterval = time.Minute })
	tok := iss.Token(t, "ES256", iss.Claims("ada"), nil)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	iss.SetFailing(true)
	clk.add(2 * time.Minute)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("with a stale set whose server fails: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for iss.Fetches() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := iss.Fetches(); n != 2 {
		t.Fatalf("fetches %d, want 2: a background refresh", n)
	}
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Errorf("after a failed refresh, the old keys stay: %v", err)
	}
}

// TestUnavailable: a key set that cannot be fetched makes the verifier
// unavailable, not the token invalid, and is not fetched on every request.
func TestUnavailable(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	iss.SetFailing(true)
	v := newVerifier(t, iss, nil)
	tok := iss.Token(t, "RS256", iss.Claims("ada"), nil)
	for i := 0; i < 5; i++ {
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, auth.ErrUnavailable) {
			t.Fatalf("error %v, want ErrUnavailable", err)
		}
	}
	if n := iss.Fetches(); n != 1 {
		t.Errorf("fetches %d, want 1", n)
	}
}

// TestAuthenticate: the bearer token of a request, through auth.Require:
// 200 with the principal, or 401 with the RFC 6750 challenge and a body
// that does not repeat the token.
func TestAuthenticate(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v := newVerifier(t, iss, nil)
	h := auth.Require(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		fmt.Fprint(w, p.Subject)
	}))
	expired := iss.Claims("ada")
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	bad := iss.Token(t, "RS256", expired, nil)
	tests := []struct {
		name, header string
		code         int
		challenge    string
	}{
		{"valid", "Bearer " + iss.Token(t, "RS256", iss.Claims("ada"), nil), 200, ""},
		{"lower-case scheme", "bearer " + iss.Token(t, "ES256", iss.Claims("ada"), nil), 200, ""},
		{"none", "", 401, "Bearer"},
		{"basic", "Basic YTpi", 401, "Bearer"},
		{"expired", "Bearer " + bad, 401, `Bearer error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code || w.Header().Get("WWW-Authenticate") != tt.challenge {
				t.Fatalf("%d %q %s, want %d %q", w.Code, w.Header().Get("WWW-Authenticate"), w.Body, tt.code, tt.challenge)
			}
			if tt.code == 200 && w.Body.String() != "ada" {
				t.Errorf("principal %q", w.Body)
			}
			if tt.code != 200 && (strings.Contains(w.Body.String(), bad[len(bad)-16:]) || !strings.Contains(w.Body.String(), `"kind":"permanent"`)) {
				t.Errorf("body %s", w.Body)
			}
		})
	}
}

// TestConfigErrors: a Config missing what verification needs is refused,
// naming the setting.
func TestConfigErrors(t *testing.T) {
	ok := jwtauth.Config{JWKSURL: "https://id.example/jwks", Issuers: []string{"https://id.example"}, Audiences: []string{"api"}}
	tests := []struct {
		name string
		edit func(*jwtauth.Config)
		want string
	}{
		{"no url", func(c *jwtauth.Config) { c.JWKSURL = "" }, "JWKSURL is required"},
		{"http", func(c *jwtauth.Config) { c.JWKSURL = "http://id.example/jwks" }, "https"},
		{"no issuer", func(c *jwtauth.Config) { c.Issuers = nil }, "Issuers"},
		{"no audience", func(c *jwtauth.Config) { c.Audiences = []string{""} }, "Audiences"},
		{"HS256", func(c *jwtauth.Config) { c.Algorithms = []string{"HS256"} }, `"HS256"`},
		{"none", func(c *jwtauth.Config) { c.Algorithms = []string{"none"} }, `"none"`},
		{"leeway", func(c *jwtauth.Config) { c.Leeway = time.Hour }, "Leeway"},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		if _, err := jwtauth.New(c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.want)
		}
	}
	if _, err := jwtauth.New(ok); err != nil {
		t.Errorf("a valid config: %v", err)
	}
}
