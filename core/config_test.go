package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSettingErrors(t *testing.T) {
	tests := []struct {
		name    string
		setting string
		opts    []SettingOption
		want    string // substring of the error; "" means success
	}{
		{"plain", "SHOP_REGION", nil, ""},
		{"secret", "SHOP_API_KEY", []SettingOption{Secret(), Describe("key")}, ""},
		{"default", "SHOP_LIMIT", []SettingOption{Default("10")}, ""},
		{"lower case", "shop_mode", nil, ""},
		{"empty", "", nil, "a name is letters, digits and '_'"},
		{"leading digit", "1KEY", nil, "not starting with a digit"},
		{"dash", "SHOP-KEY", nil, "a name is letters"},
		{"polyfn", "POLYFN_FUNCTION", nil, "POLYFN_ is set by polyfn"},
		{"aws", "AWS_REGION", nil, "AWS_ is set by AWS Lambda"},
		{"azure any case", "AzureWebJobsStorage", nil, "AZUREWEBJOBS is set by Azure Functions"},
		{"website", "WEBSITE_TIME_ZONE", nil, "WEBSITE_ is set by Azure Functions"},
		{"port", "PORT", nil, "set by every HTTP platform"},
		{"secret with default", "TOKEN", []SettingOption{Secret(), Default("s3cr3t")}, "a secret has no default"},
		{"taken", "TAKEN", nil, `already declared as "TAKEN"`},
		{"taken other case", "taken", nil, `already declared as "TAKEN"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApp()
			Must(a.Setting("TAKEN"))
			err := a.Setting(tt.setting, tt.opts...)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidSetting) {
				t.Fatalf("err = %v, want ErrInvalidSetting with %q", err, tt.want)
			}
		})
	}
}

func TestStartResolvesSettings(t *testing.T) {
	a := NewApp()
	Must(a.Setting("KEY", Secret(), Describe("the API key")))
	Must(a.Setting("REGION", Default("eu")))
	Must(a.Setting("MODE", Optional()))
	var got map[string]string
	a.OnStart(func(_ context.Context, cfg Config) error {
		got = map[string]string{"KEY": cfg.Get("KEY"), "REGION": cfg.Get("REGION"), "MODE": cfg.Get("MODE")}
		return nil
	})
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
		err  string
	}{
		{"defaults", map[string]string{"KEY": "k"}, map[string]string{"KEY": "k", "REGION": "eu", "MODE": ""}, ""},
		{"values", map[string]string{"KEY": "k", "REGION": "us", "MODE": "x"}, map[string]string{"KEY": "k", "REGION": "us", "MODE": "x"}, ""},
		{"empty is unset", map[string]string{"KEY": "k", "REGION": ""}, map[string]string{"KEY": "k", "REGION": "eu", "MODE": ""}, ""},
		{"missing secret", map[string]string{}, nil, "required setting not set: KEY (secret): the API key"},
		{"empty secret", map[string]string{"KEY": ""}, nil, "KEY (secret)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			err := a.Start(context.Background(), lookupMap(tt.env))
			defer a.Stop(context.Background())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrMissingSetting) {
					t.Fatalf("err = %v, want ErrMissingSetting with %q", err, tt.err)
				}
				if got != nil {
					t.Fatal("a start hook ran although a required setting is missing")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func lookupMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestHooksOrderAndErrors(t *testing.T) {
	var trace []string
	a := NewApp()
	a.OnStart(func(context.Context, Config) error { trace = append(trace, "start1"); return nil })
	a.OnStart(func(context.Context, Config) error { trace = append(trace, "start2"); return nil })
	a.OnStop(func(context.Context) error { trace = append(trace, "stop1"); return errors.New("flush failed") })
	a.OnStop(func(context.Context) error { trace = append(trace, "stop2"); panic("boom") })
	a.OnStart(nil)
	a.OnStop(nil)
	if err := a.Stop(context.Background()); err != nil || len(trace) != 0 {
		t.Fatalf("Stop before Start: %v, ran %v", err, trace)
	}
	if err := a.Start(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background(), nil); !errors.Is(err, ErrStarted) {
		t.Fatalf("second Start: %v", err)
	}
	err := a.Stop(context.Background())
	if got := strings.Join(trace, " "); got != "start1 start2 stop2 stop1" {
		t.Fatalf("hooks ran %q", got)
	}
	for _, want := range []string{"stop hook config_test.go:", "panicked: boom", "flush failed"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Stop error %v lacks %q", err, want)
		}
	}
	if err := a.Stop(context.Background()); err != nil || len(trace) != 4 {
		t.Fatalf("a second Stop ran hooks again: %v %v", err, trace)
	}
}

func TestStartHookFailure(t *testing.T) {
	tests := []struct {
		name string
		hook func(context.Context, Config) error
		want string
	}{
		{"error", func(context.Context, Config) error { return errors.New("dial db: refused") }, "start hook config_test.go:"},
		{"panic", func(context.Context, Config) error { panic("nil client") }, "panicked: nil client"},
		{"undeclared setting", func(_ context.Context, cfg Config) error { cfg.Get("NOPE"); return nil }, `Config.Get("NOPE"): the App declares no such setting`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApp()
			stopped := false
			a.OnStop(func(context.Context) error { stopped = true; return nil })
			a.OnStart(tt.hook)
			err := a.Start(context.Background(), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if err := a.Stop(context.Background()); err != nil || stopped {
				t.Fatalf("stop hooks ran after a failed start (%v)", err)
			}
		})
	}
}

func TestHasStopHooks(t *testing.T) {
	stop := func(context.Context) error { return nil }
	tests := []struct {
		name  string
		setup func(a *App)
		want  bool
	}{
		{"none", func(a *App) { a.OnStart(func(context.Context, Config) error { return nil }) }, false},
		{"nil hook", func(a *App) { a.OnStop(nil) }, false},
		{"added before start", func(a *App) { a.OnStop(stop) }, true},
		{"added by a start hook", func(a *App) {
			a.OnStart(func(context.Context, Config) error { a.OnStop(stop); return nil })
		}, true},
	}
	for _, tt := range tests {
		a := NewApp()
		tt.setup(a)
		if err := a.Start(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if got := a.HasStopHooks(); got != tt.want {
			t.Errorf("%s: HasStopHooks() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestConfigLookup(t *testing.T) {
	c, err := resolve([]Setting{{Name: "A", Default: "x"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Lookup("A"); !ok || v != "x" {
		t.Errorf("Lookup(A) = %q, %v", v, ok)
	}
	if v, ok := c.Lookup("B"); ok || v != "" {
		t.Errorf("Lookup(B) = %q, %v", v, ok)
	}
}

func TestDeploymentErrors(t *testing.T) {
	tests := []struct {
		name string
		opt  FunctionOption
		want string // "" means success
	}{
		{"all knobs", WithMemory(512), ""},
		{"arch", WithArchitecture(ArchAMD64), ""},
		{"instances", WithInstances(1, 10), ""},
		{"canary", WithRollout(Canary(10, 5*time.Minute)), ""},
		{"linear", WithRollout(Linear(10, time.Minute)), ""},
		{"memory low", WithMemory(64), "memory 64 MB is not from 128 to 32768"},
		{"memory high", WithMemory(65536), "not from 128 to 32768"},
		{"arch", WithArchitecture("riscv64"), `architecture "riscv64"`},
		{"negative", WithInstances(-1, 0), "negative"},
		{"min over max", WithInstances(5, 2), "min 5 is above max 2"},
		{"canary percent", WithRollout(Canary(100, time.Minute)), "canary 100% for 1m0s: the percent is not from 1 to 99"},
		{"linear interval", WithRollout(Linear(10, 0)), "the interval is not positive"},
		{"no strategy", WithRollout(Rollout{Percent: 10}), "needs a strategy"},
		{"unknown strategy", WithRollout(Rollout{Strategy: "blue-green"}), `rollout strategy "blue-green"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewApp().Event("f", nopEvent, tt.opt)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRolloutString(t *testing.T) {
	for r, want := range map[Rollout]string{
		{}:                       "all at once",
		Canary(10, time.Minute):  "canary 10% for 1m0s",
		Linear(20, time.Second):  "linear 20% every 1s",
		{Strategy: "blue-green"}: `rollout "blue-green"`,
	} {
		if got := r.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", r, got, want)
		}
	}
}
