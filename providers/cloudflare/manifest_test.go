package cloudflare_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/providers/cloudflare"
)

func nop(context.Context, core.Event) (*core.Event, error) { return nil, nil }

// manifestApp declares what a Worker serves: HTTP routes, an event
// function over HTTP, Cron Triggers, queue consumers, and settings.
func manifestApp() *core.App {
	app := core.NewApp()
	core.Must(app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/orders/{id}", "GET")))
	core.Must(app.HTTP("site", http.NotFoundHandler(), core.OnHTTP("/site/")))
	core.Must(app.Event("audit", nop, core.OnEvent("com.example.audit")))
	core.Must(app.Event("nightly", nop, core.OnSchedule("0 2 * * *", "UTC")))
	core.Must(app.Event("weekdays", nop, core.OnSchedule("*/15 8-18 * * 1-5", "")))
	core.Must(app.Event("fulfil", nop, core.OnQueue("orders").WithBatchSize(10)))
	core.Must(app.Event("mail", nop, core.OnQueue("mail").With("cloudflare", "max_retries", "5").With("cloudflare", "dead_letter_queue", "mail-failed")))
	core.Must(app.Setting("SHOP_API_KEY", core.Secret(), core.Describe("the key API callers send")))
	core.Must(app.Setting("LOG_LEVEL", core.Default("info")))
	core.Must(app.Setting("REGION", core.Describe("where orders ship from")))
	core.Must(app.Setting("JWKS_URL", core.Optional()))
	return app
}

func TestWrangler(t *testing.T) {
	tests := []struct {
		name string
		o    cloudflare.Options
	}{
		{"workers_dev", cloudflare.Options{Name: "shop"}},
		{"routes", cloudflare.Options{Name: "shop", Host: "api.example.com", CompatibilityDate: "2026-12-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := cloudflare.Wrangler(manifestApp(), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/golden/wrangler_"+tt.name+".jsonc", b)
		})
	}
}

func TestWorkerd(t *testing.T) {
	tests := []struct {
		name   string
		o      cloudflare.Options
		driver string
	}{
		{"app", cloudflare.Options{Name: "shop", Vars: map[string]string{"SHOP_API_KEY": "k\"ey\n"}}, ""},
		{"driver", cloudflare.Options{Name: "shop"}, "driver.mjs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := cloudflare.Workerd(manifestApp(), tt.o, tt.driver)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/golden/workerd_"+tt.name+".capnp", b)
		})
	}
}

func TestManifestErrors(t *testing.T) {
	app := func(opts ...core.FunctionOption) *core.App {
		a := core.NewApp()
		core.Must(a.Event("f", nop, opts...))
		return a
	}
	tests := []struct {
		name string
		app  *core.App
		o    cloudflare.Options
		want string
	}{
		{"bad name", app(), cloudflare.Options{Name: "Shop_1"}, `worker name "Shop_1"`},
		{"bad host", app(), cloudflare.Options{Name: "s", Host: "https://x.com/"}, `host "https://x.com/"`},
		{"zone", app(core.OnSchedule("0 2 * * *", "Europe/Paris")), cloudflare.Options{Name: "s"}, "function f: cloudflare: invalid input: schedule \"0 2 * * *\" in time zone \"Europe/Paris\""},
		{"topic", app(core.OnTopic("t")), cloudflare.Options{Name: "s"}, "function f: cloudflare: invalid input: trigger"},
		{"batch", app(core.OnQueue("q").WithBatchSize(500)), cloudflare.Options{Name: "s"}, "batch size 500 over Cloudflare Queues' 100"},
		{"retries", app(core.OnQueue("q").With("cloudflare", "max_retries", "many")), cloudflare.Options{Name: "s"}, `max_retries "many"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cloudflare.Wrangler(tt.app, tt.o)
			if err == nil || !errors.Is(err, cloudflare.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
}

func TestWorkerName(t *testing.T) {
	for in, want := range map[string]string{"echo": "echo", "My_Shop.v2": "my-shop-v2", "--": "polyfn", strings.Repeat("a", 70): strings.Repeat("a", 63)} {
		if got := cloudflare.WorkerName(in); got != want {
			t.Errorf("WorkerName(%q) = %q, want %q", in, got, want)
		}
	}
}
