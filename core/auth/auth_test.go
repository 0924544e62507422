package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core/auth"
)

func whoami(w http.ResponseWriter, r *http.Request) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		http.Error(w, "no principal", 500)
		return
	}
	fmt.Fprintf(w, "%s/%s", p.Method, p.Subject)
}

// TestRequireAPIKeys: several keys at once, a configurable header and
// query parameter, and RFC 6750 answers that never repeat the key.
func TestRequireAPIKeys(t *testing.T) {
	keys, err := auth.APIKeys(auth.APIKeyConfig{Keys: map[string]string{"current": "k-current", "next": "k-next"}, Header: "X-Key", Query: "key"})
	if err != nil {
		t.Fatal(err)
	}
	h := auth.Require(keys)(http.HandlerFunc(whoami))
	tests := []struct {
		name, header, query string
		code                int
		challenge, body     string
	}{
		{"current key", "k-current", "", 200, "", "apikey/current"},
		{"next key", "k-next", "", 200, "", "apikey/next"},
		{"query", "", "k-next", 200, "", "apikey/next"},
		{"no key", "", "", 401, "Bearer", `{"error":"credentials are required","kind":"permanent"}`},
		{"wrong key", "k-wrong", "", 401, `Bearer error="invalid_token"`, `{"error":"the credentials are not valid","kind":"permanent"}`},
		{"prefix of a key", "k-curren", "", 401, `Bearer error="invalid_token"`, `{"error":"the credentials are not valid","kind":"permanent"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/?key="+tt.query, nil)
			if tt.header != "" {
				r.Header.Set("X-Key", tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code || w.Header().Get("WWW-Authenticate") != tt.challenge || strings.TrimSpace(w.Body.String()) != tt.body {
				t.Errorf("%d %q %s, want %d %q %s", w.Code, w.Header().Get("WWW-Authenticate"), w.Body, tt.code, tt.challenge, tt.body)
			}
		})
	}
	for _, bad := range []auth.APIKeyConfig{{}, {Keys: map[string]string{"a": ""}}, {Keys: map[string]string{"": "k"}}} {
		if _, err := auth.APIKeys(bad); err == nil {
			t.Errorf("APIKeys(%+v) accepted", bad)
		}
	}
}

// fixed authenticates every request as p, or fails with err.
func fixed(p *auth.Principal, err error) auth.Authenticator {
	return auth.AuthenticatorFunc(func(*http.Request) (*auth.Principal, error) { return p, err })
}

// TestRequireScopes: a missing scope answers 403 with insufficient_scope
// and the scopes required; the scope claim's forms are all read.
func TestRequireScopes(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]any
		code   int
	}{
		{"scope string", map[string]any{"scope": "orders:read orders:write"}, 200},
		{"scp list", map[string]any{"scp": []any{"orders:write", "orders:read"}}, 200},
		{"scopes list", map[string]any{"scopes": []string{"orders:read", "orders:write"}}, 200},
		{"one missing", map[string]any{"scope": "orders:read"}, 403},
		{"none", nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &auth.Principal{Subject: "ada", Method: auth.MethodJWT, Claims: tt.claims}
			h := auth.Require(fixed(p, nil), "orders:read", "orders:write")(http.HandlerFunc(whoami))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if w.Code != tt.code {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.code)
			}
			if want := `Bearer error="insufficient_scope", scope="orders:read orders:write"`; tt.code == 403 && w.Header().Get("WWW-Authenticate") != want {
				t.Errorf("challenge %q, want %q", w.Header().Get("WWW-Authenticate"), want)
			}
		})
	}
}

// TestAny: the first authenticator that finds its credentials decides;
// invalid credentials end the search; an unavailable verifier answers 503.
func TestAny(t *testing.T) {
	ada := &auth.Principal{Subject: "ada", Method: auth.MethodJWT}
	none := fixed(nil, auth.ErrNoCredentials)
	tests := []struct {
		name string
		as   []auth.Authenticator
		code int
		body string
	}{
		{"second finds", []auth.Authenticator{none, fixed(ada, nil)}, 200, "jwt/ada"},
		{"first invalid, second accepts", []auth.Authenticator{fixed(nil, auth.ErrInvalidToken), fixed(ada, nil)}, 200, "jwt/ada"},
		{"all invalid", []auth.Authenticator{fixed(nil, auth.ErrInvalidToken), none}, 401, `{"error":"the credentials are not valid","kind":"permanent"}` + "\n"},
		{"none finds", []auth.Authenticator{none, none}, 401, `{"error":"credentials are required","kind":"permanent"}` + "\n"},
		{"unavailable", []auth.Authenticator{fixed(nil, fmt.Errorf("%w: key set down", auth.ErrUnavailable))}, 503, ""},
		{"invalid and unavailable", []auth.Authenticator{fixed(nil, auth.ErrInvalidToken), fixed(nil, auth.ErrUnavailable)}, 503, ""},
		{"nil principal", []auth.Authenticator{fixed(nil, nil)}, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			auth.Require(auth.Any(tt.as...))(http.HandlerFunc(whoami)).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if w.Code != tt.code || (tt.body != "" && w.Body.String() != tt.body) {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, tt.code, tt.body)
			}
		})
	}
}

func principalHeader(t *testing.T, doc any) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// TestEasyAuth: the X-MS-CLIENT-PRINCIPAL header becomes the principal;
// a header that is not one is invalid credentials.
func TestEasyAuth(t *testing.T) {
	aad := principalHeader(t, map[string]any{"auth_typ": "aad", "claims": []map[string]string{
		{"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": "oid-1"},
		{"typ": "iss", "val": "https://login.microsoftonline.com/tenant/v2.0"},
		{"typ": "roles", "val": "reader"}, {"typ": "roles", "val": "writer"},
	}})
	bare := principalHeader(t, map[string]any{"auth_typ": "github", "claims": []map[string]string{{"typ": "name", "val": "ada"}}})
	tests := []struct {
		name, header, id, idp string
		want                  *auth.Principal
		err                   error
	}{
		{"aad", aad, "", "", &auth.Principal{Subject: "oid-1", Issuer: "https://login.microsoftonline.com/tenant/v2.0", Method: auth.MethodEasyAuth,
			Claims: map[string]any{"http://schemas.microsoft.com/identity/claims/objectidentifier": "oid-1", "iss": "https://login.microsoftonline.com/tenant/v2.0",
				"roles": []any{"reader", "writer"}, "auth_typ": "aad"}}, nil},
		{"id headers", bare, "u-7", "github", &auth.Principal{Subject: "u-7", Issuer: "github", Method: auth.MethodEasyAuth,
			Claims: map[string]any{"name": "ada", "auth_typ": "github"}}, nil},
		{"no subject", bare, "", "", nil, auth.ErrInvalidToken},
		{"absent", "", "", "", nil, auth.ErrNoCredentials},
		{"not base64", "%%%", "", "", nil, auth.ErrInvalidToken},
		{"not JSON", base64.StdEncoding.EncodeToString([]byte("nope")), "", "", nil, auth.ErrInvalidToken},
		{"no claims", principalHeader(t, map[string]any{"auth_typ": "aad"}), "u", "", nil, auth.ErrInvalidToken},
		{"oversized", strings.Repeat("A", 20000), "", "", nil, auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range map[string]string{auth.HeaderMSClientPrincipal: tt.header, auth.HeaderMSClientPrincipalID: tt.id, auth.HeaderMSClientPrincipalIDP: tt.idp} {
				if v != "" {
					r.Header.Set(k, v)
				}
			}
			p, err := auth.EasyAuth().Authenticate(r)
			if !errors.Is(err, tt.err) || (tt.err != nil) != (err != nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("principal %+v, want %+v", p, tt.want)
			}
		})
	}
}

// FuzzClientPrincipal: decoding the EasyAuth header never panics, and a
// principal it returns carries the EasyAuth method and claims.
func FuzzClientPrincipal(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"auth_typ":"aad","claims":[{"typ":"oid","val":"x"},{"typ":"oid","val":"y"}]}`)))
	f.Add("e30=")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, h string) {
		p, err := auth.ParseClientPrincipal(h)
		if err == nil && (p.Method != auth.MethodEasyAuth || p.Claims == nil) {
			t.Fatalf("%q: %+v", h, p)
		}
	})
}

// FuzzBearer: any Authorization value yields a token without surrounding
// spaces, and only for the Bearer scheme.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  abc ", "Basic abc", "Bearer", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := &http.Request{Header: http.Header{"Authorization": {v}}}
		tok := auth.BearerToken(r)
		if tok != strings.TrimSpace(tok) || (tok != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "bearer ")) {
			t.Fatalf("%q: token %q", v, tok)
		}
	})
}
