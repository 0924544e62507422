package driver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func TestSpecRoundTrip(t *testing.T) {
	a := core.NewApp()
	core.Must(a.HTTP("api", nopHTTP, core.OnHTTP("/api/", "GET", "POST"), core.Public()))
	core.Must(a.HTTP("admin", nopHTTP, core.WithMemory(256)))
	core.Must(a.Event("orders", nopEvent, core.OnQueue("orders").WithBatchSize(10).With("aws", "arn", "arn:aws:sqs:eu-west-1:1:orders"), core.WithTimeout(30*time.Second)))
	core.Must(a.Event("nightly", nopEvent, core.OnSchedule("0 2 * * *", "Europe/Paris")))
	core.Must(a.Event("stock", nopEvent, core.OnStream("inventory"), core.WithBatchConcurrency(4)))
	core.Must(a.Event("files", nopEvent, core.OnStorage("uploads", core.KindStorageObjectCreated)))
	core.Must(a.Event("fan", nopEvent, core.OnTopic("placed", "sub-1"), core.OnEvent("com.example.x", "/src")))
	core.Must(a.Event("knobs", nopEvent, core.WithMemory(1024), core.WithArchitecture(core.ArchAMD64), core.WithInstances(2, 50),
		core.WithRollout(core.Linear(10, 2*time.Minute))))
	core.Must(a.Setting("API_KEY", core.Secret(), core.Describe("the key")))
	core.Must(a.Setting("REGION", core.Default("eu")))
	core.Must(a.Setting("MODE", core.Optional()))

	spec, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := driver.ParseSpec(spec)
	if err != nil {
		t.Fatalf("%v\n%s", err, spec)
	}
	again, _ := json.Marshal(back)
	if string(again) != string(spec) {
		t.Fatalf("round trip changed the spec:\n%s\n%s", spec, again)
	}
	for _, f := range a.Functions() {
		g, ok := back.Function(f.Name)
		if !ok || g.Kind != f.Kind || g.Timeout != f.Timeout || g.BatchConcurrency != f.BatchConcurrency || !reflect.DeepEqual(g.Triggers, f.Triggers) || g.Deploy != f.Deploy {
			t.Errorf("function %s: got %+v, want %+v", f.Name, g, f)
		}
	}
	if !reflect.DeepEqual(back.Settings(), a.Settings()) {
		t.Errorf("settings %+v, want %+v", back.Settings(), a.Settings())
	}
	o, _ := back.Function("orders")
	if _, err := o.EventFunc()(context.Background(), core.NewEvent("1", "/test", "com.example.test", "", nil)); !errors.Is(err, driver.ErrDeclarationOnly) {
		t.Fatalf("a parsed function must not pretend to run: %v", err)
	}
	if api, _ := back.Function("api"); !api.Deploy.Public {
		t.Errorf("api lost its public declaration: %s", spec)
	}
	if admin, _ := back.Function("admin"); admin.Deploy.Public {
		t.Errorf("admin became public: %s", spec)
	}
	if !strings.Contains(string(spec), `"settings":{"aws":{"arn":"arn:aws:sqs:eu-west-1:1:orders"}}`) {
		t.Fatalf("settings missing: %s", spec)
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{`{`, "app spec"},
		{`{"functions":[{"name":"x"}]}`, "has no kind"},
		{`{"functions":[{"name":"x","kind":"lambda"}]}`, `unknown function kind "lambda"`},
		{`{"functions":[{"name":"x","kind":"event","triggers":[{"kind":"schedule","cron":"bad"}]}]}`, "want 5 fields"},
		{`{"functions":[{"name":"x","kind":"event","timeout":"soon"}]}`, "timeout"},
		{`{"functions":[{"name":"x","kind":"event","deploy":{"memoryMB":1}}]}`, "memory 1 MB"},
		{`{"functions":[{"name":"x","kind":"event","deploy":{"rollout":{"strategy":"canary","percent":10,"interval":"later"}}}]}`, "rollout interval"},
		{`{"functions":[{"name":"x","kind":"event","deploy":{"public":true}}]}`, "core.Public() applies to HTTP functions only"},
		{`{"functions":[],"settings":[{"name":"AWS_X"}]}`, "reserved"},
		{`{"functions":[],"settings":[{"name":"K","secret":true,"default":"v"}]}`, "a secret has no default"},
	}
	for _, tt := range tests {
		if _, err := driver.ParseSpec([]byte(tt.spec)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("driver.ParseSpec(%s) = %v, want an error containing %q", tt.spec, err, tt.want)
		}
	}
}

func nopEvent(context.Context, core.Event) (*core.Event, error) { return nil, nil }

var nopHTTP = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
