package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/polyfn/polyfn/core/auth"
)

// Require in front of a handler, with two API keys accepted while the
// first is rotated out.
func ExampleRequire() {
	keys, err := auth.APIKeys(auth.APIKeyConfig{Keys: map[string]string{"2026-10": "k-old", "2026-11": "k-new"}})
	if err != nil {
		panic(err)
	}
	h := auth.Require(keys)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		fmt.Fprintf(w, "hello, %s (%s)", p.Subject, p.Method)
	}))
	for _, key := range []string{"k-new", "", "k-wrong"} {
		r := httptest.NewRequest("GET", "/", nil)
		if key != "" {
			r.Header.Set("X-Api-Key", key)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d %q %s\n", w.Code, w.Header().Get("WWW-Authenticate"), strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 "" hello, 2026-11 (apikey)
	// 401 "Bearer" {"error":"credentials are required","kind":"permanent"}
	// 401 "Bearer error=\"invalid_token\"" {"error":"the credentials are not valid","kind":"permanent"}
}
