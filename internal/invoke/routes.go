package invoke

import (
	"fmt"
	"net/http"
	"net/url"
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

// A route is one of an HTTP function's own patterns, split into path
// segments, so that path values ({id}) can be filled in for a request that
// the platform, not a ServeMux, routed to the function (API Gateway, an
// Azure envelope, FUNCTION_TARGET). It follows net/http.ServeMux's pattern
// syntax: "{name}" matches one segment, "{name...}" the rest of the path,
// a trailing "/" a subtree and "{$}" the end of the path.
type route struct {
	method  string
	segs    []segment
	subtree bool // ends in "/" without {$}
}

type segment struct {
	lit  string // a literal segment, or
	name string // a wildcard's name
	rest bool   // {name...}
}

// wildRoutes returns f's routes that hold a wildcard; nil when none does,
// since there is nothing to fill in then.
func wildRoutes(f *core.Function) []route {
	var out []route
	for _, p := range Patterns(f) {
		if !strings.Contains(p, "{") {
			continue
		}
		var rt route
		if m, path, ok := strings.Cut(p, " "); ok {
			rt.method, p = m, path
		}
		p = strings.TrimPrefix(p, "/")
		if strings.HasSuffix(p, "/{$}") || p == "{$}" {
			p = strings.TrimSuffix(strings.TrimSuffix(p, "{$}"), "/")
		} else if strings.HasSuffix(p, "/") || p == "" {
			rt.subtree, p = true, strings.TrimSuffix(p, "/")
		}
		if p != "" {
			for _, seg := range strings.Split(p, "/") {
				if name, ok := strings.CutPrefix(seg, "{"); ok {
					name = strings.TrimSuffix(name, "}")
					name, rest := strings.CutSuffix(name, "...")
					rt.segs = append(rt.segs, segment{name: name, rest: rest})
					continue
				}
				rt.segs = append(rt.segs, segment{lit: seg})
			}
		}
		out = append(out, rt)
	}
	return out
}

// fill sets r's path values from the first route that matches it, and
// leaves r alone when none does.
func fill(routes []route, r *http.Request) {
	for _, rt := range routes {
		if rt.method != "" && rt.method != r.Method && !(rt.method == http.MethodGet && r.Method == http.MethodHead) {
			continue
		}
		if vals, ok := rt.match(r.URL.EscapedPath()); ok {
			for i := 0; i < len(vals); i += 2 {
				r.SetPathValue(vals[i], vals[i+1])
			}
			return
		}
	}
}

// match returns the wildcard names and values of path, alternately, when
// rt matches it.
func (rt route) match(path string) ([]string, bool) {
	rest := strings.TrimPrefix(path, "/")
	var vals []string
	for i, s := range rt.segs {
		if s.rest {
			v, err := url.PathUnescape(rest)
			return append(vals, s.name, v), err == nil
		}
		seg, tail, more := strings.Cut(rest, "/")
		if s.name == "" {
			if seg != s.lit {
				return nil, false
			}
		} else {
			v, err := url.PathUnescape(seg)
			if err != nil || seg == "" {
				return nil, false
			}
			vals = append(vals, s.name, v)
		}
		rest = tail
		if !more {
			return vals, i == len(rt.segs)-1 && !rt.subtree
		}
	}
	return vals, rt.subtree || rest == ""
}
