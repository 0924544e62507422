package funcapp

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/providers/azure"
)

func nop(context.Context, core.Event) (*core.Event, error) { return nil, nil }

// mixedApp declares one function per Azure trigger.
func mixedApp(t *testing.T) *core.App {
	app := core.NewApp()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/orders/{id}", "GET", "POST"), core.WithTimeout(30*time.Second)))
	must(app.HTTP("files", http.NotFoundHandler(), core.OnHTTP("/files/{path...}").With("azure", "authLevel", "anonymous")))
	must(app.Event("orders", nop, core.OnQueue("orders").With("azure", "output", "queue:orders-done"), core.WithTimeout(5*time.Minute)))
	must(app.Event("payments", nop, core.OnQueue("payments").With("azure", "service", "servicebus").With("azure", "isSessionsEnabled", "true").With("azure", "connection", "PaymentsBus")))
	must(app.Event("audit", nop, core.OnTopic("orders", "audit").With("azure", "cardinality", "many").With("azure", "autoCompleteMessages", "false")))
	must(app.Event("telemetry", nop, core.OnStream("telemetry").With("azure", "dataType", "string").With("azure", "output", "eventHub:telemetry-clean")))
	must(app.Event("changes", nop, core.OnStream("items").With("azure", "service", "cosmosdb").With("azure", "databaseName", "shop")))
	must(app.Event("nightly", nop, core.OnSchedule("@daily", "")))
	must(app.Event("weekly", nop, core.OnSchedule("30 6 * * 7", "")))
	must(app.Event("uploads", nop, core.OnStorage("uploads", core.KindStorageObjectCreated)))
	must(app.Event("grid", nop, core.OnEvent("Microsoft.Storage.BlobCreated")))
	must(app.Event("gridtopic", nop, core.OnTopic("my-topic").With("azure", "service", "eventgrid")))
	return app
}

// settingsApp declares settings, a schedule in a time zone, knobs, a
// canary and the stream sources with their retry policies, as
// examples/shop does and more.
func settingsApp(t *testing.T) *core.App {
	app := core.NewApp()
	for _, err := range []error{
		app.Setting("SHOP_API_KEY", core.Secret(), core.Describe("the key API callers send in X-Api-Key")),
		app.Setting("SHOP_LOG_LEVEL", core.Default("info"), core.Describe("log level: debug, info, warn or error")),
		app.Setting("SHOP_REGION", core.Describe(`where the shop sells, such as "eu"`)),
		app.Setting("SHOP_BANNER", core.Optional()),
		app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/"), core.WithMemory(256), core.WithInstances(1, 50),
			core.WithRollout(core.Canary(10, 5*time.Minute))),
		app.Event("nightly-report", nop, core.OnSchedule("0 2 * * *", "Europe/Paris"), core.WithTimeout(5*time.Minute)),
		app.Event("inventory", nop, core.OnStream("inventory-changes"), core.WithInstances(2, 4), core.WithMemory(3000)),
		app.Event("clicks", nop, core.OnStream("clicks").With("azure", "service", "kafka").
			With("azure", "username", "%KafkaUsername%").With("azure", "password", "%KafkaPassword%").
			With("azure", "protocol", "saslSsl").With("azure", "authenticationMode", "plain")),
		app.Event("audit", nop, core.OnStream("audit").With("azure", "retry", "fixedDelay").With("azure", "maxRetryCount", "5").
			With("azure", "delayInterval", "00:00:30"), core.WithTimeout(20*time.Minute)),
		app.Event("firehose", nop, core.OnStream("firehose").With("azure", "retry", "none")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func httpOnlyApp(t *testing.T) *core.App {
	app := core.NewApp()
	if err := app.HTTP("hello", http.NotFoundHandler()); err != nil {
		t.Fatal(err)
	}
	if err := app.HTTP("static", http.NotFoundHandler(), core.OnHTTP("/static/")); err != nil {
		t.Fatal(err)
	}
	return app
}

// directApp has an event function without a trigger, as examples/echo.
func directApp(t *testing.T) *core.App {
	app := core.NewApp()
	if err := app.Event("echo", nop); err != nil {
		t.Fatal(err)
	}
	if err := app.HTTP("http-echo", http.NotFoundHandler(), core.OnHTTP("/http-echo")); err != nil {
		t.Fatal(err)
	}
	return app
}

func TestFilesGolden(t *testing.T) {
	tests := []struct {
		name string
		app  func(t *testing.T) *core.App
		opts HostOptions
	}{
		{name: "mixed", app: mixedApp},
		{name: "http-only", app: httpOnlyApp, opts: HostOptions{Executable: "handler.exe"}},
		{name: "direct", app: directApp},
		{name: "settings", app: settingsApp},
		{name: "resources", app: resourceApp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Files(tt.app(t), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range FileNames(files) {
				golden.Check(t, filepath.Join("testdata", "manifests", tt.name, filepath.FromSlash(name)), files[name])
			}
		})
	}
}

// TestHostSchema checks the generated host.json against the documented
// custom-handler schema: the members the host reads, their types and values.
func TestHostSchema(t *testing.T) {
	for _, app := range []*core.App{mixedApp(t), httpOnlyApp(t), directApp(t)} {
		files, err := Files(app, HostOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var h map[string]any
		if err := json.Unmarshal(files["host.json"], &h); err != nil {
			t.Fatal(err)
		}
		if h["version"] != "2.0" {
			t.Errorf("version = %v", h["version"])
		}
		eb, _ := h["extensionBundle"].(map[string]any)
		if eb["id"] != "Microsoft.Azure.Functions.ExtensionBundle" || eb["version"] != "[4.*, 5.0.0)" {
			t.Errorf("extensionBundle = %v", eb)
		}
		ch, _ := h["customHandler"].(map[string]any)
		d, _ := ch["description"].(map[string]any)
		if d["defaultExecutablePath"] != "handler" {
			t.Errorf("customHandler.description = %v", d)
		}
		if _, ok := ch["enableForwardingHttpRequest"].(bool); !ok {
			t.Errorf("enableForwardingHttpRequest missing or not a bool: %v", ch)
		}
		if ch["enableForwardingHttpRequest"] != azure.Forwarding(app) {
			t.Errorf("forwarding = %v, want %v", ch["enableForwardingHttpRequest"], azure.Forwarding(app))
		}
		for name, b := range files {
			if !strings.HasSuffix(name, "/function.json") {
				continue
			}
			var cfg struct {
				Bindings []map[string]any `json:"bindings"`
			}
			if err := json.Unmarshal(b, &cfg); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			triggers := 0
			for _, b := range cfg.Bindings {
				typ, _ := b["type"].(string)
				dir, _ := b["direction"].(string)
				if typ == "" || b["name"] == nil || (dir != "in" && dir != "out") {
					t.Errorf("%s: binding %v lacks type, name or direction", name, b)
				}
				if strings.HasSuffix(typ, "Trigger") {
					triggers++
				}
			}
			if triggers != 1 {
				t.Errorf("%s: %d trigger bindings, want 1", name, triggers)
			}
		}
	}
}

// TestFunctionMatchesSource: the adapter decodes with the trigger binding
// the generated function.json holds.
func TestFunctionMatchesSource(t *testing.T) {
	for _, f := range mixedApp(t).Functions() {
		cfg, err := Function(f)
		if err != nil {
			t.Fatal(err)
		}
		src, err := azure.SourceOf(f)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := cfg.Trigger()
		a, _ := json.Marshal(in)
		b, _ := json.Marshal(src.Trigger)
		if string(a) != string(b) {
			t.Errorf("%s: function.json trigger %s, the adapter decodes with %s", f.Name, a, b)
		}
	}
}

func TestHostProxy(t *testing.T) {
	if h := Host(httpOnlyApp(t), HostOptions{Proxy: true}); !h.CustomHandler.EnableProxyingHTTPRequest || !h.CustomHandler.EnableForwardingHTTPRequest {
		t.Errorf("HTTP-only app with Proxy: %+v", h.CustomHandler)
	}
	if h := Host(mixedApp(t), HostOptions{Proxy: true}); h.CustomHandler.EnableProxyingHTTPRequest {
		t.Errorf("mixed app must not be proxied: %+v", h.CustomHandler)
	}
}

func TestFunctionErrors(t *testing.T) {
	tests := []struct {
		name string
		trig []core.Trigger
		want string
	}{
		{"two triggers", []core.Trigger{core.OnQueue("a"), core.OnQueue("b")}, "exactly one"},
		{"bad service", []core.Trigger{core.OnQueue("q").With("azure", "service", "kafka")}, "not storage or servicebus"},
		{"bad output", []core.Trigger{core.OnQueue("q").With("azure", "output", "table:x")}, "not queue"},
		{"output without target", []core.Trigger{core.OnQueue("q").With("azure", "output", "queue")}, "want queue:NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Function(&core.Function{Name: "fn", Kind: core.EventFunction, Triggers: tt.trig})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"fn"`) {
				t.Errorf("error %v, want one naming the function and containing %q", err, tt.want)
			}
		})
	}
}

func TestTimeSpanRoundTrip(t *testing.T) {
	tests := []struct {
		d    time.Duration
		text string
		back time.Duration
	}{
		{5 * time.Minute, "00:05:00", 5 * time.Minute},
		{30 * time.Second, "00:00:30", 30 * time.Second},
		{26 * time.Hour, "1.02:00:00", 26 * time.Hour},
		{1500 * time.Millisecond, "00:00:02", 2 * time.Second},
	}
	for _, tt := range tests {
		got := FormatTimeSpan(tt.d)
		if got != tt.text {
			t.Errorf("FormatTimeSpan(%v) = %q, want %q", tt.d, got, tt.text)
		}
		if back, err := azure.ParseTimeSpan(got); err != nil || back != tt.back {
			t.Errorf("ParseTimeSpan(%q) = %v, %v; want %v", got, back, err, tt.back)
		}
	}
}

func TestLocalSettingsZones(t *testing.T) {
	app := core.NewApp()
	_ = app.Event("a", nop, core.OnSchedule("@daily", "Europe/Paris"))
	_ = app.Event("b", nop, core.OnSchedule("@daily", "America/New_York"))
	if _, err := LocalSettings(app); err == nil || !strings.Contains(err.Error(), "time zones") {
		t.Errorf("two zones: error %v", err)
	}
	one := core.NewApp()
	_ = one.Event("a", nop, core.OnSchedule("@daily", "Europe/Paris"))
	ls, err := LocalSettings(one)
	if err != nil {
		t.Fatal(err)
	}
	if v := ls["Values"].(map[string]string)["WEBSITE_TIME_ZONE"]; v != "Europe/Paris" {
		t.Errorf("WEBSITE_TIME_ZONE = %q", v)
	}
}

func TestAuthLevelFollowsPublic(t *testing.T) {
	tests := []struct {
		name string
		reg  func(*core.App) error
		want string // "" means the trigger is not HTTP and has no authLevel
	}{
		{"private http", func(a *core.App) error { return a.HTTP("f", http.NotFoundHandler()) }, "function"},
		{"public http", func(a *core.App) error { return a.HTTP("f", http.NotFoundHandler(), core.Public()) }, "anonymous"},
		{"public http with route", func(a *core.App) error {
			return a.HTTP("f", http.NotFoundHandler(), core.OnHTTP("/api/", "GET"), core.Public())
		}, "anonymous"},
		{"explicit setting wins over public", func(a *core.App) error {
			return a.HTTP("f", http.NotFoundHandler(), core.OnHTTP("/admin/").With("azure", "authLevel", "admin"), core.Public())
		}, "admin"},
		{"explicit setting on a private function", func(a *core.App) error {
			return a.HTTP("f", http.NotFoundHandler(), core.OnHTTP("/files/").With("azure", "authLevel", "anonymous"))
		}, "anonymous"},
		{"event function served over http stays private", func(a *core.App) error { return a.Event("f", nop) }, "function"},
		{"queue trigger", func(a *core.App) error { return a.Event("f", nop, core.OnQueue("orders")) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			if err := tt.reg(app); err != nil {
				t.Fatal(err)
			}
			f, _ := app.Function("f")
			cfg, err := Function(f)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := cfg.Bindings[0].Props["authLevel"].(string)
			if got != tt.want {
				t.Fatalf("authLevel = %q, want %q (bindings %+v)", got, tt.want, cfg.Bindings)
			}
		})
	}
}
