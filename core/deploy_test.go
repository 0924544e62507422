package core

import (
	"net/http"
	"strings"
	"testing"
)

func TestPublic(t *testing.T) {
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	tests := []struct {
		name       string
		register   func(*App, ...FunctionOption) error
		opts       []FunctionOption
		wantPublic bool
		wantErr    string // "" means success
	}{
		{"http default private", func(a *App, o ...FunctionOption) error { return a.HTTP("f", h, o...) }, nil, false, ""},
		{"http public", func(a *App, o ...FunctionOption) error { return a.HTTP("f", h, o...) }, []FunctionOption{Public()}, true, ""},
		{"http public with knobs", func(a *App, o ...FunctionOption) error { return a.HTTP("f", h, o...) },
			[]FunctionOption{WithMemory(256), Public(), OnHTTP("/api/")}, true, ""},
		{"event default private", func(a *App, o ...FunctionOption) error { return a.Event("f", nopEvent, o...) }, nil, false, ""},
		{"event public", func(a *App, o ...FunctionOption) error { return a.Event("f", nopEvent, o...) },
			[]FunctionOption{OnQueue("orders"), Public()}, false, "core.Public() applies to HTTP functions only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApp()
			err := tt.register(a, tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `event function "f"`) {
					t.Fatalf("err = %v, want one naming the function and %q", err, tt.wantErr)
				}
				if _, ok := a.Function("f"); ok {
					t.Fatal("a refused function was registered")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f, _ := a.Function("f")
			if f.Deploy.Public != tt.wantPublic {
				t.Fatalf("Public = %v, want %v", f.Deploy.Public, tt.wantPublic)
			}
		})
	}
}
