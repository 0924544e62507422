package gcloud

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
)

func nop(context.Context, core.Event) (*core.Event, error) { return nil, nil }

// scriptApp declares one function per trigger kind Cloud Functions takes.
func scriptApp(t *testing.T) *core.App {
	t.Helper()
	app := core.NewApp()
	for _, err := range []error{
		app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/", "GET", "POST")),
		app.Event("fulfil", nop, core.OnQueue("orders")),
		app.Event("notify", nop, core.OnTopic("order-placed")),
		app.Event("inventory", nop, core.OnStream("inventory-changes")),
		app.Event("nightly-report", nop, core.OnSchedule("0 2 * * 1-5", "Europe/Paris")),
		app.Event("hourly", nop, core.OnSchedule("@hourly", "")),
		app.Event("uploads", nop, core.OnStorage("polyfn-uploads", core.KindStorageObjectCreated)),
		app.Event("removed", nop, core.OnStorage("polyfn-uploads", core.KindStorageObjectDeleted)),
		app.Event("audit", nop, core.OnEvent("google.cloud.audit.log.v1.written").
			With("gcp", "serviceName", "storage.googleapis.com").
			With("gcp", "methodName", "storage.buckets.create")),
		app.Event("spaced", nop, core.OnTopic("it's here")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func TestScriptGolden(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		golden string
	}{
		{"defaults", Options{}, "testdata/app.golden.sh"},
		{"options", Options{Source: "build/my source", Runtime: "go125"}, "testdata/app-options.golden.sh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Script(scriptApp(t), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.golden, got)
		})
	}
}

func TestScriptErrors(t *testing.T) {
	tests := []struct {
		name    string
		trigger []core.FunctionOption
		want    string
	}{
		{"no trigger", nil, `function "f": no trigger declared`},
		{"two triggers", []core.FunctionOption{core.OnTopic("a"), core.OnTopic("b")}, `function "f": 2 triggers declared`},
		{"storage on two kinds", []core.FunctionOption{core.OnStorage("b", core.KindStorageObjectCreated, core.KindStorageObjectDeleted)}, "takes one event kind, not 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			if err := app.Event("f", nop, tt.trigger...); err != nil {
				t.Fatal(err)
			}
			_, err := Script(app, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"orders", "orders"},
		{"dist/gcp/source", "dist/gcp/source"},
		{"type=google.cloud.x", "type=google.cloud.x"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$(rm -rf /)", "'$(rm -rf /)'"},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
