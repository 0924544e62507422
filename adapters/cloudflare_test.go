package adapters_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCloudflareLinks: examples/echo built for Workers (GOOS=js
// GOARCH=wasm -tags polyfn.cloudflare) links nothing that its plain local
// build does not, besides the Workers adapter, its provider and
// syscall/js, and no test kit: the wasm stays small.
func TestCloudflareLinks(t *testing.T) {
	list := func(env []string, tags string) map[string]bool {
		cmd := exec.Command("go", "list", "-deps", "-tags", tags, "../examples/echo")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %q: %v\n%s", tags, err, out)
		}
		m := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			m[p] = true
		}
		return m
	}
	local := list(nil, "")
	edge := list([]string{"GOOS=js", "GOARCH=wasm"}, "polyfn.cloudflare")
	allowed := map[string]bool{"github.com/polyfn/polyfn/adapters/cloudflare": true, "github.com/polyfn/polyfn/providers/cloudflare": true, "syscall/js": true}
	for p := range edge {
		if !local[p] && !allowed[p] {
			t.Errorf("the Workers build links %s, which the local build does not", p)
		}
		for _, kit := range testKits {
			if p == kit {
				t.Errorf("the Workers build links the test package %s", p)
			}
		}
	}
	for p := range allowed {
		if !edge[p] {
			t.Errorf("the Workers build does not link %s", p)
		}
	}
}

// TestCloudflareTagNeedsWasm: the polyfn.cloudflare tag on another
// GOOS/GOARCH fails to build with a message that says what to do, and
// with another adapter's tag it says to pick one.
func TestCloudflareTagNeedsWasm(t *testing.T) {
	tests := []struct {
		env  []string
		tags string
		want string
	}{
		{nil, "polyfn.cloudflare", "polyfn_cloudflare_builds_for_GOOS_js_GOARCH_wasm_only_use_polyfn_build_provider_cloudflare"},
		{[]string{"GOOS=js", "GOARCH=wasm"}, "polyfn.cloudflare,polyfn.aws", "more_than_one_adapter"},
	}
	for _, tt := range tests {
		t.Run(tt.tags, func(t *testing.T) {
			cmd := exec.Command("go", "build", "-tags", tt.tags, "-o", os.DevNull, "../examples/echo")
			cmd.Env = append(os.Environ(), tt.env...)
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.want) {
				t.Errorf("go build -tags %s: %v\n%s\nwant a failure naming %s", tt.tags, err, out, tt.want)
			}
		})
	}
}
