package gcloud

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
)

func nop(context.Context, core.Event) (*core.Event, error) { return nil, nil }

// scriptApp declares one function per trigger kind Cloud Functions takes.
func scriptApp(t *testing.T) *core.App {
	t.Helper()
	app := core.NewApp()
	for _, err := range []error{
		app.Setting("SHOP_API_KEY", core.Secret(), core.Describe("the key API callers send")),
		app.Setting("SHOP_LOG_LEVEL", core.Default("info"), core.Describe("log level")),
		app.Setting("SHOP_REGION"),
		app.Setting("SHOP_GREETING", core.Default("it's, here")),
		app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/", "GET", "POST"), core.WithMemory(256),
			core.WithInstances(1, 50), core.WithRollout(core.Canary(10, 5*time.Minute)), core.WithTimeout(30*time.Minute), core.Public()),
		app.HTTP("item", http.NotFoundHandler(), core.OnHTTP("/items/{id}"), core.WithRollout(core.Linear(25, 90*time.Second)),
			core.WithArchitecture(core.ArchARM64)),
		app.Event("fulfil", nop, core.OnQueue("orders"), core.WithTimeout(2*time.Minute)),
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
	small := func(t *testing.T) *core.App {
		app := core.NewApp()
		core.Must(app.Event("fulfil", nop, core.OnQueue("orders")))
		return app
	}
	tests := []struct {
		name   string
		app    func(*testing.T) *core.App
		opts   Options
		golden string
	}{
		{"defaults", scriptApp, Options{}, "testdata/app.golden.sh"},
		{"options", small, Options{Source: "build/my source", Runtime: "go125"}, "testdata/app-options.golden.sh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Script(tt.app(t), tt.opts)
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
		{"event timeout over the limit", []core.FunctionOption{core.OnTopic("t"), core.WithTimeout(10 * time.Minute)}, `function "f": timeout 10m0s is over Cloud Functions' 540 s`},
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
	for name, want := range map[string]string{
		"REGION":                  "reads the region from $REGION",
		"TRIGGER_SERVICE_ACCOUNT": "reads the event triggers' service account from $TRIGGER_SERVICE_ACCOUNT",
	} {
		app := core.NewApp()
		core.Must(app.Setting(name))
		core.Must(app.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/")))
		if _, err := Script(app, Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("a setting named %s: %v", name, err)
		}
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
