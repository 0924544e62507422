package jwtauth_test

import (
	"context"
	"testing"

	"github.com/polyfn/polyfn/core/auth/jwtauth"
	"github.com/polyfn/polyfn/core/auth/jwtauth/jwtauthtest"
)

// BenchmarkVerify measures verifying one token with a cached key set.
func BenchmarkVerify(b *testing.B) {
	iss := jwtauthtest.NewIssuer(b)
	v, err := jwtauth.New(jwtauth.Config{JWKSURL: iss.JWKSURL, Issuers: []string{iss.Issuer}, Audiences: []string{iss.Audience}})
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []string{"RS256", "ES256"} {
		tok := iss.Token(b, alg, iss.Claims("ada"), nil)
		if _, err := v.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := v.Verify(context.Background(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
