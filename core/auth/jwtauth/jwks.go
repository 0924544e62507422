package jwtauth

import (
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/polyfn/polyfn/core/auth"
)

// maxSetBytes bounds a key set document.
const maxSetBytes = 1 << 20

// A key is one verification key of a set, with the algorithms it may
// verify: those of its type and size, narrowed to its own "alg" when it
// names one.
type key struct {
	pub  crypto.PublicKey
	algs []string
}

// jwk is the part of a JSON Web Key (RFC 7517, 7518, 8037) that verifying
// signatures needs. Certificate members (x5c, x5u) are not read: the key
// is the set's, and the set's URL is configuration.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseSet reads a JWK Set. Keys it cannot use for signatures (encryption
// keys, unknown types or curves, RSA keys under 2048 bits) are left out;
// a document that is not a key set is an error.
func parseSet(b []byte) (map[string]key, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("the key set is not a JWK Set: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New(`the key set has no "keys" member`)
	}
	out := make(map[string]key, len(doc.Keys))
	for _, raw := range doc.Keys {
		var j jwk
		if json.Unmarshal(raw, &j) != nil || (j.Use != "" && j.Use != "sig") {
			continue
		}
		k, err := j.key()
		if err != nil {
			continue
		}
		if _, dup := out[j.Kid]; dup {
			continue // the first key of a kid wins
		}
		out[j.Kid] = k
	}
	return out, nil
}

// key returns the verification key j describes.
func (j jwk) key() (key, error) {
	var k key
	switch j.Kty {
	case "RSA":
		n, e := b64(j.N), b64(j.E)
		if len(n) < 256 || len(e) == 0 || len(e) > 4 {
			return k, errors.New("an RSA key needs a modulus of 2048 bits or more and a small exponent")
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 || exp%2 == 0 {
			return k, errors.New("bad RSA exponent")
		}
		k.pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
		k.algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	case "EC":
		pub, alg, err := ecKey(j.Crv, b64(j.X), b64(j.Y))
		if err != nil {
			return k, err
		}
		k.pub, k.algs = pub, []string{alg}
	case "OKP":
		x := b64(j.X)
		if j.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			return k, errors.New("an OKP key must be Ed25519")
		}
		k.pub, k.algs = ed25519.PublicKey(x), []string{"EdDSA"}
	default:
		return k, fmt.Errorf("key type %q", j.Kty)
	}
	if j.Alg != "" {
		if !slices.Contains(k.algs, j.Alg) {
			return k, fmt.Errorf("alg %q does not fit the key", j.Alg)
		}
		k.algs = []string{j.Alg}
	}
	return k, nil
}

// ecKey returns the ECDSA key of curve crv at (x, y), checked to lie on
// the curve, and the one algorithm it verifies.
func ecKey(crv string, x, y []byte) (*ecdsa.PublicKey, string, error) {
	var (
		c    elliptic.Curve
		e    ecdh.Curve
		alg  string
		size int
	)
	switch crv {
	case "P-256":
		c, e, alg, size = elliptic.P256(), ecdh.P256(), "ES256", 32
	case "P-384":
		c, e, alg, size = elliptic.P384(), ecdh.P384(), "ES384", 48
	case "P-521":
		c, e, alg, size = elliptic.P521(), ecdh.P521(), "ES512", 66
	default:
		return nil, "", fmt.Errorf("curve %q", crv)
	}
	if len(x) != size || len(y) != size {
		return nil, "", errors.New("bad EC coordinates")
	}
	if _, err := e.NewPublicKey(append(append([]byte{4}, x...), y...)); err != nil {
		return nil, "", errors.New("the EC point is not on the curve")
	}
	return &ecdsa.PublicKey{Curve: c, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}, alg, nil
}

// b64 decodes base64url with or without padding; nil when it is not.
func b64(s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil
	}
	return b
}

// A keySet is a JWK Set fetched from its configured URL and kept: it is
// fetched on first use, refreshed in the background once it is older than
// the refresh interval, and fetched again for an unknown kid at most once
// per minimum interval, however many such tokens arrive.
type keySet struct {
	url      string
	client   *http.Client
	interval time.Duration // background refresh
	minGap   time.Duration // between fetches for unknown kids
	now      func() time.Time

	fetch sync.Mutex // held by the one fetch in flight

	mu         sync.Mutex
	keys       map[string]key
	fetched    time.Time // last successful fetch
	tried      time.Time // last fetch, successful or not
	gen        int       // fetches begun
	failed     bool      // the last fetch failed
	refreshing bool
}

// failureGap is how long a key set that could not be fetched, and is
// held by no key yet, is not tried again.
const failureGap = 5 * time.Second

// lookup returns the key of kid, fetching the set when it has none yet or
// does not know kid, within the rate limit.
func (s *keySet) lookup(ctx context.Context, kid string) (key, error) {
	s.mu.Lock()
	keys, tried, fetched, gen, failed := s.keys, s.tried, s.fetched, s.gen, s.failed
	stale := keys != nil && s.now().Sub(fetched) >= s.interval && !s.refreshing
	if stale {
		s.refreshing = true
	}
	s.mu.Unlock()
	if stale {
		go s.refresh()
	}
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	switch {
	case keys == nil && failed && s.now().Sub(tried) < failureGap:
		return key{}, fmt.Errorf("%w: the key set could not be fetched", auth.ErrUnavailable)
	case keys != nil && s.now().Sub(tried) < s.minGap:
		return key{}, fmt.Errorf("%w: unknown key id", auth.ErrInvalidToken)
	}
	err := s.load(ctx, gen) // waits for a fetch in flight rather than start another
	s.mu.Lock()
	k, ok := s.keys[kid]
	have := s.keys != nil
	s.mu.Unlock()
	switch {
	case ok:
		return k, nil
	case !have && err != nil:
		return key{}, fmt.Errorf("%w: %w", auth.ErrUnavailable, err)
	case !have:
		return key{}, fmt.Errorf("%w: the key set could not be fetched", auth.ErrUnavailable)
	}
	return key{}, fmt.Errorf("%w: unknown key id", auth.ErrInvalidToken)
}

// refresh fetches the set in the background.
func (s *keySet) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	_ = s.load(ctx, gen) // on failure the old keys stay
	s.mu.Lock()
	s.refreshing = false
	s.mu.Unlock()
}

// load fetches the set unless a fetch began since the caller saw gen
// fetches (one that ran while it waited for the lock), and keeps it when
// it parses.
func (s *keySet) load(ctx context.Context, gen int) error {
	s.fetch.Lock()
	defer s.fetch.Unlock()
	s.mu.Lock()
	if s.gen != gen {
		s.mu.Unlock()
		return nil // another caller fetched while this one waited
	}
	s.gen++
	s.tried = s.now()
	s.mu.Unlock()
	keys, err := s.get(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed = err != nil; err != nil {
		return err
	}
	s.keys, s.fetched = keys, s.now()
	return nil
}

// get fetches and parses the set.
func (s *keySet) get(ctx context.Context) (map[string]key, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the key set: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSetBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the key set: %w", err)
	}
	if len(b) > maxSetBytes {
		return nil, fmt.Errorf("the key set exceeds %d bytes", maxSetBytes)
	}
	return parseSet(b)
}
