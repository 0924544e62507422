package invoke

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestFillMatchesServeMux checks that the path values filled in for a
// request the platform routed are those net/http.ServeMux would give.
func TestFillMatchesServeMux(t *testing.T) {
	tests := []struct {
		route   string
		methods []string
		method  string
		path    string
	}{
		{"/items/{id}", nil, "GET", "/items/42"},
		{"/items/{id}", nil, "GET", "/items/a%2Fb"},
		{"/items/{id}", nil, "GET", "/items/42/more"},
		{"/items/{id}", nil, "GET", "/items/"},
		{"/items/{id}/", nil, "GET", "/items/42/sub/tree"},
		{"/users/{user}/orders/{order}", nil, "POST", "/users/u1/orders/o%20x"},
		{"/files/{path...}", nil, "GET", "/files/a/b/c.txt"},
		{"/files/{path...}", nil, "GET", "/files/"},
		{"/exact/{id}/{$}", nil, "GET", "/exact/7/"},
		{"/exact/{id}/{$}", nil, "GET", "/exact/7/x"},
		{"/items/{id}", []string{"GET"}, "HEAD", "/items/9"},
		{"/items/{id}", []string{"GET"}, "POST", "/items/9"},
		{"/other/{id}", nil, "GET", "/items/42"},
	}
	for _, tt := range tests {
		t.Run(tt.route+" "+tt.method+" "+tt.path, func(t *testing.T) {
			app := core.NewApp()
			var got string
			core.Must(app.HTTP("f", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), core.OnHTTP(tt.route, tt.methods...)))
			f := app.Functions()[0]
			names := []string{"id", "user", "order", "path"}
			values := func(r *http.Request) string {
				s := ""
				for _, n := range names {
					s += n + "=" + r.PathValue(n) + ";"
				}
				return s
			}
			r := httptest.NewRequest(tt.method, tt.path, nil)
			fill(wildRoutes(f), r)
			got = values(r)

			mux := http.NewServeMux()
			want := "id=;user=;order=;path=;"
			if err := Route(mux, f, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { want = values(r) })); err != nil {
				t.Fatal(err)
			}
			mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.path, nil))
			if got != want {
				t.Fatalf("filled %q, ServeMux gives %q", got, want)
			}
		})
	}
}
