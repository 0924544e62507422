package invoke

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Patterns returns the net/http.ServeMux patterns of an HTTP function's
// routes: one per method, or the route alone when it names none.
func Patterns(f *core.Function) []string {
	var out []string
	for _, t := range f.Triggers {
		if t.Kind != core.TriggerHTTP {
			continue
		}
		if len(t.Methods) == 0 {
			out = append(out, t.Route)
		}
		for _, m := range t.Methods {
			out = append(out, m+" "+t.Route)
		}
	}
	return out
}

// Handle registers h at pattern on mux, turning ServeMux's panic on a
// conflicting or malformed pattern into an error that names the pattern.
func Handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("route %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// Route registers h at every pattern of f's routes (see Patterns).
func Route(mux *http.ServeMux, f *core.Function, h http.Handler) error {
	for _, p := range Patterns(f) {
		if err := Handle(mux, p, h); err != nil {
			return fmt.Errorf("http function %q: %w", f.Name, err)
		}
	}
	return nil
}

// ownRoutes returns h behind a ServeMux holding f's own patterns, so that
// r.PathValue works when the platform, not a ServeMux, routed a request to
// f (API Gateway, an Azure envelope, FUNCTION_TARGET). A request its
// patterns do not match still reaches h. It returns nil when no pattern has
// a wildcard: then there is nothing to fill in.
func ownRoutes(f *core.Function, h http.Handler) http.Handler {
	var wild bool
	for _, p := range Patterns(f) {
		wild = wild || strings.Contains(p, "{")
	}
	if !wild {
		return nil
	}
	mux := http.NewServeMux()
	if Route(mux, f, h) != nil {
		return nil
	}
	_ = Handle(mux, "/", h) // a route of f's own may hold "/" already
	return mux
}
