package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"sort"
)

// DefaultAPIKeyHeader is the header APIKeys reads when none is configured.
const DefaultAPIKeyHeader = "X-Api-Key"

// APIKeyConfig configures APIKeys.
type APIKeyConfig struct {
	// Keys maps a name to each accepted key: several at once, so that a
	// new key can be given out before the old one is withdrawn. The name
	// is the principal's Subject and what logs show; a key itself is kept
	// only as a SHA-256 digest.
	Keys map[string]string
	// Header is the request header that carries the key; empty means
	// DefaultAPIKeyHeader.
	Header string
	// Query, when set, is a query parameter that may carry the key instead
	// (for callers that cannot set headers). Query strings end up in
	// access logs: prefer the header.
	Query string
}

type namedKey struct {
	name   string
	digest [sha256.Size]byte
}

type apiKeys struct {
	header, query string
	keys          []namedKey
}

// APIKeys returns an Authenticator of the keys c configures. It compares
// the SHA-256 digest of the key a request shows with every configured
// key's in constant time, so that neither the time taken nor the order of
// the keys tells anything about them. It returns an error when no key is
// configured or a key or name is empty.
func APIKeys(c APIKeyConfig) (Authenticator, error) {
	if len(c.Keys) == 0 {
		return nil, errors.New("auth: APIKeys: no key configured")
	}
	a := &apiKeys{header: c.Header, query: c.Query}
	if a.header == "" {
		a.header = DefaultAPIKeyHeader
	}
	for name, k := range c.Keys {
		if name == "" || k == "" {
			return nil, fmt.Errorf("auth: APIKeys: key %q: a key needs a name and a value", name)
		}
		a.keys = append(a.keys, namedKey{name: name, digest: sha256.Sum256([]byte(k))})
	}
	sort.Slice(a.keys, func(i, j int) bool { return a.keys[i].name < a.keys[j].name })
	return a, nil
}

func (a *apiKeys) Authenticate(r *http.Request) (*Principal, error) {
	got := r.Header.Get(a.header)
	if got == "" && a.query != "" {
		got = r.URL.Query().Get(a.query)
	}
	if got == "" {
		return nil, ErrNoCredentials
	}
	d := sha256.Sum256([]byte(got))
	match := -1
	for i := range a.keys {
		// Every key is compared, whichever matches.
		if subtle.ConstantTimeCompare(d[:], a.keys[i].digest[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return nil, fmt.Errorf("%w: the API key in %s matches no configured key", ErrInvalidToken, a.header)
	}
	return &Principal{Subject: a.keys[match].name, Method: MethodAPIKey}, nil
}
