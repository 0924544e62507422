package azure

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

func TestAppFolderOptions(t *testing.T) {
	app := core.NewApp()
	_ = app.Event("orders", func(context.Context, core.Event) (*core.Event, error) { return nil, nil })
	tests := []struct {
		name, host, function string
		timeout              time.Duration
		forwarding           *bool
		trigger              string
	}{
		{name: "empty folder"},
		{name: "timeout", host: `{"functionTimeout":"00:02:30"}`, timeout: 150 * time.Second},
		{name: "unbounded", host: `{"functionTimeout":"-1"}`},
		{name: "forwarding off", host: `{"customHandler":{"enableForwardingHttpRequest":false}}`, forwarding: new(bool)},
		{name: "proxying", host: `{"customHandler":{"enableProxyingHttpRequest":true}}`, forwarding: func() *bool { b := true; return &b }()},
		{name: "function.json", function: `{"bindings":[{"type":"eventHubTrigger","direction":"in","name":"ev","dataType":"binary"}]}`, trigger: "eventHubTrigger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.host != "" {
				if err := os.WriteFile(filepath.Join(dir, "host.json"), []byte(tt.host), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.function != "" {
				_ = os.MkdirAll(filepath.Join(dir, "orders"), 0o755)
				if err := os.WriteFile(filepath.Join(dir, "orders", "function.json"), []byte(tt.function), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opts, err := appFolderOptions(dir, app)
			if err != nil {
				t.Fatal(err)
			}
			c := newConfig(opts)
			if c.functionTimeout != tt.timeout {
				t.Errorf("timeout %v, want %v", c.functionTimeout, tt.timeout)
			}
			if (c.forwarding == nil) != (tt.forwarding == nil) || (c.forwarding != nil && *c.forwarding != *tt.forwarding) {
				t.Errorf("forwarding %v, want %v", c.forwarding, tt.forwarding)
			}
			if got := c.functions["orders"]; tt.trigger != "" {
				if b, ok := got.Trigger(); !ok || b.Type != tt.trigger || b.Prop("dataType") != "binary" {
					t.Errorf("function.json trigger %+v", b)
				}
			}
		})
	}
	bad := t.TempDir()
	_ = os.WriteFile(filepath.Join(bad, "host.json"), []byte(`{"functionTimeout":"soon"}`), 0o644)
	if _, err := appFolderOptions(bad, app); err == nil {
		t.Error("bad functionTimeout: no error")
	}
}

func TestRunWithoutPort(t *testing.T) {
	t.Setenv("FUNCTIONS_CUSTOMHANDLER_PORT", "")
	t.Setenv("FUNCTIONS_HTTPWORKER_PORT", "")
	if err := Run(context.Background(), core.NewApp()); err == nil {
		t.Error("Run without FUNCTIONS_CUSTOMHANDLER_PORT: no error")
	}
}
