package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The headers of Azure App Service authentication (EasyAuth).
const (
	HeaderMSClientPrincipal    = "X-Ms-Client-Principal"
	HeaderMSClientPrincipalID  = "X-Ms-Client-Principal-Id"
	HeaderMSClientPrincipalIDP = "X-Ms-Client-Principal-Idp"
)

// maxPrincipalHeader bounds the EasyAuth principal header.
const maxPrincipalHeader = 16 << 10

// Claim types EasyAuth uses for the subject and the issuer.
const (
	claimObjectID  = "http://schemas.microsoft.com/identity/claims/objectidentifier"
	claimNameID    = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"
	claimIssuerURI = "http://schemas.microsoft.com/identity/claims/identityprovider"
)

// EasyAuth returns an Authenticator of the identity Azure App Service
// authentication (EasyAuth) vouches for: the base64 JSON principal of the
// X-MS-CLIENT-PRINCIPAL header. The platform sets these headers, and
// strips them from callers, only when authentication is enabled on the
// function app: use it there and nowhere else, since anyone can send the
// header to a server that does not strip it.
//
// The principal's Subject is the oid (objectidentifier) claim, else the
// X-MS-CLIENT-PRINCIPAL-ID header, else the sub (nameidentifier) claim;
// its Issuer the iss claim, else the identity provider; its Claims map each
// claim type to its value, or to a list when the type repeats (roles).
func EasyAuth() Authenticator { return AuthenticatorFunc(easyAuth) }

func easyAuth(r *http.Request) (*Principal, error) {
	h := r.Header.Get(HeaderMSClientPrincipal)
	if h == "" {
		return nil, ErrNoCredentials
	}
	p, err := ParseClientPrincipal(h)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if p.Subject == "" {
		p.Subject = r.Header.Get(HeaderMSClientPrincipalID)
	}
	if p.Issuer == "" {
		p.Issuer = r.Header.Get(HeaderMSClientPrincipalIDP)
	}
	if p.Subject == "" {
		return nil, fmt.Errorf("%w: the client principal names no subject", ErrInvalidToken)
	}
	return p, nil
}

// ParseClientPrincipal decodes an X-MS-CLIENT-PRINCIPAL header value:
// base64 of {"auth_typ":...,"claims":[{"typ":...,"val":...}]}. Its error
// names what is wrong.
func ParseClientPrincipal(h string) (*Principal, error) {
	if len(h) > maxPrincipalHeader {
		return nil, fmt.Errorf("%s exceeds %d bytes", HeaderMSClientPrincipal, maxPrincipalHeader)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(h), "=")); err != nil {
			return nil, fmt.Errorf("%s is not base64", HeaderMSClientPrincipal)
		}
	}
	var doc struct {
		AuthType string `json:"auth_typ"`
		Claims   []struct {
			Type  string `json:"typ"`
			Value string `json:"val"`
		} `json:"claims"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a client principal: %w", HeaderMSClientPrincipal, err)
	}
	if doc.Claims == nil {
		return nil, errors.New(HeaderMSClientPrincipal + " has no claims")
	}
	claims := make(map[string]any, len(doc.Claims)+1)
	for _, c := range doc.Claims {
		switch have := claims[c.Type].(type) {
		case nil:
			claims[c.Type] = c.Value
		case string:
			claims[c.Type] = []any{have, c.Value}
		case []any:
			claims[c.Type] = append(have, c.Value)
		}
	}
	if doc.AuthType != "" {
		claims["auth_typ"] = doc.AuthType
	}
	p := &Principal{Method: MethodEasyAuth, Claims: claims}
	p.Subject = firstString(claims, claimObjectID, "oid", claimNameID, "sub")
	p.Issuer = firstString(claims, "iss", claimIssuerURI, "idp")
	return p, nil
}

// firstString returns the first of names that claims holds as a string.
func firstString(claims map[string]any, names ...string) string {
	for _, n := range names {
		if s, ok := claims[n].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
