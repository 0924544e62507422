package jwtauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/auth"
)

// FuzzParseSet: any document either parses into keys that each verify at
// least one algorithm, or is an error; it never panics.
func FuzzParseSet(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","alg":"HS256"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := parseSet(b)
		if err != nil {
			return
		}
		for kid, k := range keys {
			if k.pub == nil || len(k.algs) == 0 {
				t.Fatalf("key %q: %+v", kid, k)
			}
		}
	})
}

// FuzzVerify: a token that no key signed is refused as invalid, whatever
// its bytes; parsing never panics.
func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsiLCJjcml0IjpbImV4cCJdfQ.e30.c2ln")
	f.Add("a.b.c")
	f.Add("")
	set := &keySet{keys: map[string]key{}, now: func() time.Time { return time.Unix(1e9, 0) }}
	set.tried = set.now()
	v, err := New(Config{JWKSURL: "https://keys.example/jwks", Issuers: []string{"i"}, Audiences: []string{"a"}})
	if err != nil {
		f.Fatal(err)
	}
	set.interval, set.minGap = v.set.interval, v.set.minGap
	v.set = set // an empty set that is never fetched again
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := v.Verify(context.Background(), tok)
		if err == nil || !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("token %q: principal %+v, error %v", tok, p, err)
		}
	})
}
