package awsauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/polyfn/polyfn/core/auth"
	"github.com/polyfn/polyfn/providers/aws"
	"github.com/polyfn/polyfn/providers/aws/awsauth"
)

// request decodes the sample payload file (of providers/aws/testdata),
// with its requestContext.authorizer replaced by authorizer unless that is
// nil, into the http.Request the AWS adapter hands a function.
func request(t *testing.T, file string, authorizer any) *http.Request {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	if authorizer != nil {
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		doc["requestContext"].(map[string]any)["authorizer"] = authorizer
		if b, err = json.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	}
	src, err := aws.Sniff(b)
	if err != nil {
		t.Fatal(err)
	}
	hr, err := aws.DecodeHTTP(src, b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := hr.Request(context.Background(), aws.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const (
	v1  = "aws-lambda-go-apigw-request.json"                      // REST, Lambda authorizer context
	v2  = "aws-lambda-go-apigw-v2-request-jwt-authorizer.json"    // HTTP API, JWT authorizer
	v2L = "aws-lambda-go-apigw-v2-request-lambda-authorizer.json" // HTTP API, Lambda authorizer
	v2N = "aws-lambda-go-apigw-v2-request-no-authorizer.json"     // HTTP API, none
)

func TestAuthorizers(t *testing.T) {
	jwt := map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "u-1", "iss": "https://cognito.example", "groups": "[a b]"}, "scopes": []any{"orders:read"}}}
	tests := []struct {
		name string
		a    auth.Authenticator
		r    *http.Request
		want *auth.Principal
		err  error
	}{
		{"JWT authorizer", awsauth.JWTAuthorizer(), request(t, v2, jwt), &auth.Principal{Subject: "u-1", Issuer: "https://cognito.example", Method: awsauth.MethodJWTAuthorizer,
			Claims: map[string]any{"sub": "u-1", "iss": "https://cognito.example", "groups": "[a b]", "scopes": []any{"orders:read"}}}, nil},
		{"JWT authorizer, sample without sub", awsauth.JWTAuthorizer(), request(t, v2, nil), nil, auth.ErrInvalidToken},
		{"JWT authorizer, none", awsauth.JWTAuthorizer(), request(t, v2N, nil), nil, auth.ErrNoCredentials},
		{"JWT authorizer, REST request", awsauth.JWTAuthorizer(), request(t, v1, nil), nil, auth.ErrNoCredentials},
		{"REST Lambda authorizer", awsauth.LambdaAuthorizer(), request(t, v1, nil), &auth.Principal{Subject: "admin", Method: awsauth.MethodLambdaAuthorizer,
			Claims: map[string]any{"principalId": "admin", "clientId": float64(1), "clientName": "Exata"}}, nil},
		{"REST Cognito authorizer", awsauth.LambdaAuthorizer(), request(t, v1, map[string]any{"claims": map[string]any{"sub": "x"}}), nil, auth.ErrNoCredentials},
		{"HTTP API Lambda authorizer", awsauth.LambdaAuthorizer(), request(t, v2L, map[string]any{"lambda": map[string]any{"sub": "svc-7", "tier": "gold"}}),
			&auth.Principal{Subject: "svc-7", Method: awsauth.MethodLambdaAuthorizer, Claims: map[string]any{"sub": "svc-7", "tier": "gold"}}, nil},
		{"HTTP API Lambda authorizer, sample without principal", awsauth.LambdaAuthorizer(), request(t, v2L, nil), nil, auth.ErrInvalidToken},
		{"Lambda authorizer, none", awsauth.LambdaAuthorizer(), request(t, v2N, nil), nil, auth.ErrNoCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.a.Authenticate(tt.r)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("principal %+v, want %+v", p, tt.want)
			}
		})
	}
	p, _ := awsauth.JWTAuthorizer().Authenticate(request(t, v2, jwt))
	if !p.HasScope("orders:read") {
		t.Errorf("scopes %v", p.Scopes())
	}
}
