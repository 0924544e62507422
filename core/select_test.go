package core

import (
	"errors"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	one := NewApp()
	Must(one.Event("orders", nopEvent))
	Must(one.HTTP("api", nopHTTP))
	two := NewApp()
	Must(two.Event("a", nopEvent))
	Must(two.Event("b", nopEvent))
	tests := []struct {
		name    string
		app     *App
		fn      string
		kind    FunctionKind
		want    string
		wantErr string
	}{
		{"by name", one, "api", 0, "api", ""},
		{"by name and kind", one, "orders", EventFunction, "orders", ""},
		{"wrong kind", one, "api", EventFunction, "", `function "api" is an http function, not an event function`},
		{"unknown", one, "nope", 0, "", `no function "nope" in the app (it has api, orders)`},
		{"only one of the kind", one, "", HTTPFunction, "api", ""},
		{"several of any kind", one, "", 0, "", "the app has 2 functions (api, orders): name the one to serve"},
		{"several of the kind", two, "", EventFunction, "", "the app has 2 event functions (a, b)"},
		{"none of the kind", two, "", HTTPFunction, "", "the app has no http function"},
		{"empty app", NewApp(), "", 0, "", "the app has no function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.app.Select(tt.fn, tt.kind)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrNoFunction) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Select(%q, %v) = %v, want an ErrNoFunction error containing %q", tt.fn, tt.kind, err, tt.wantErr)
				}
				return
			}
			if err != nil || f.Name != tt.want {
				t.Fatalf("Select(%q, %v) = %v, %v; want %s", tt.fn, tt.kind, f, err, tt.want)
			}
		})
	}
}
