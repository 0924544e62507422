// Package awsauth turns the identity API Gateway established before
// invoking a function into an auth.Principal (package core/auth): the
// claims of an HTTP API JWT authorizer, and the context of a Lambda
// authorizer (REST API, or HTTP API). API Gateway has verified the caller
// by then; these authenticators only read what it passed on, so use them
// only on routes that API Gateway protects with that authorizer: on
// another route, or behind a function URL, the request carries no
// authorizer and they find no credentials.
package awsauth

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/core/auth"
	"github.com/polyfn/polyfn/providers/aws"
)

// The principal methods of this package.
const (
	// MethodJWTAuthorizer: an HTTP API JWT authorizer verified a token.
	MethodJWTAuthorizer = "aws-jwt-authorizer"
	// MethodLambdaAuthorizer: a Lambda authorizer allowed the request.
	MethodLambdaAuthorizer = "aws-lambda-authorizer"
)

// JWTAuthorizer returns an Authenticator of the claims an HTTP API JWT
// authorizer (payload 2.0) verified, requestContext.authorizer.jwt: the
// Subject is the sub claim (client_id for a client-credentials token),
// the Issuer the iss claim; Claims hold every claim as the string API
// Gateway passes (a list claim arrives as "[a b c]") and the granted
// scopes under "scopes".
func JWTAuthorizer() auth.Authenticator {
	return auth.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		req, ok := aws.APIGatewayV2RequestFromContext(r.Context())
		if !ok || req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.JWT == nil {
			return nil, auth.ErrNoCredentials
		}
		jwt := req.RequestContext.Authorizer.JWT
		claims := make(map[string]any, len(jwt.Claims)+1)
		for k, v := range jwt.Claims {
			claims[k] = v
		}
		if len(jwt.Scopes) > 0 {
			scopes := make([]any, len(jwt.Scopes))
			for i, s := range jwt.Scopes {
				scopes[i] = s
			}
			claims["scopes"] = scopes
		}
		return principal(MethodJWTAuthorizer, jwt.Claims["iss"], claims, "sub", "client_id")
	})
}

// LambdaAuthorizer returns an Authenticator of the context a Lambda
// authorizer returned: requestContext.authorizer of a REST API (payload
// 1.0), whose principalId is the Subject, or requestContext.authorizer.lambda
// of an HTTP API, whose principalId or sub entry is. Claims hold the
// context's entries.
func LambdaAuthorizer() auth.Authenticator {
	return auth.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		var ctx map[string]any
		if req, ok := aws.APIGatewayV1RequestFromContext(r.Context()); ok {
			ctx = req.RequestContext.Authorizer
			if _, jwt := ctx["claims"]; jwt {
				ctx = nil // a Cognito user pool authorizer, not a Lambda one
			}
		} else if req, ok := aws.APIGatewayV2RequestFromContext(r.Context()); ok && req.RequestContext.Authorizer != nil {
			ctx = req.RequestContext.Authorizer.Lambda
		}
		if len(ctx) == 0 {
			return nil, auth.ErrNoCredentials
		}
		claims := make(map[string]any, len(ctx))
		for k, v := range ctx {
			claims[k] = v
		}
		return principal(MethodLambdaAuthorizer, "", claims, "principalId", "sub")
	})
}

// principal returns the principal of claims, whose subject is the first
// of subjects that claims holds as a non-empty string.
func principal(method, issuer string, claims map[string]any, subjects ...string) (*auth.Principal, error) {
	for _, name := range subjects {
		if s, ok := claims[name].(string); ok && strings.TrimSpace(s) != "" {
			return &auth.Principal{Subject: s, Issuer: issuer, Method: method, Claims: claims}, nil
		}
	}
	return nil, fmt.Errorf("%w: the authorizer names no principal (%s)", auth.ErrInvalidToken, strings.Join(subjects, ", "))
}
