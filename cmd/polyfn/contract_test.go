package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvokeContract runs the polyfn invoke command lines other tools rely
// on, on every provider: a schedule reaches the function as
// schedule.fired; --method, --path and --header reach an HTTP function's
// own routes; a batch of --data records exits non-zero exactly when a
// record fails; the function's logs are shown.
func TestInvokeContract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the examples under every provider")
	}
	t.Setenv("SHOP_API_KEY", "K")
	dir := t.TempDir()
	ok, fail := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := os.WriteFile(ok, []byte(`{"order":"A-7"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fail, []byte(`{"fail":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	const shop, echo = "../../examples/shop", "../../examples/echo"
	type tc struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}
	var tests []tc
	for _, p := range []string{"local", "aws", "azure", "gcp"} {
		tests = append(tests,
			tc{p + "/schedule", []string{"--provider", p, "--trigger", "schedule", "--function", "nightly-report", shop}, 0,
				[]string{`"polyfnkind": "schedule.fired"`, "== logs"}},
			tc{p + "/route", []string{"--provider", p, "--function", "api", "--method", "GET", "--path", "/api/orders/ID", "--header", "X-API-Key: K", shop}, 0,
				[]string{"no such order", "== logs"}},
			tc{p + "/http", []string{"--provider", p, "--trigger", "http", "--function", "http-echo", "--data", ok, echo}, 0,
				[]string{"A-7"}},
		)
	}
	for _, b := range []struct{ provider, trigger string }{{"aws", "sqs"}, {"azure", "eventhubs"}, {"local", "queue"}} {
		tests = append(tests,
			tc{b.provider + "/" + b.trigger + "/all succeed", []string{"--provider", b.provider, "--trigger", b.trigger, "--function", "echo", "--data", ok, "--data", ok, echo}, 0,
				[]string{"== logs"}},
			tc{b.provider + "/" + b.trigger + "/one fails", []string{"--provider", b.provider, "--trigger", b.trigger, "--function", "echo", "--data", ok, "--data", fail, echo}, 1,
				[]string{"failure requested by event", "echo failed"}},
		)
	}
	// A typed handler reads a Pub/Sub message on local as on Google: local
	// presents the event Eventarc delivers (issue: it used to get the raw
	// data under the Pub/Sub type, which core.Typed refuses).
	for _, p := range []string{"local", "gcp"} {
		tests = append(tests, tc{p + "/pubsub typed", []string{"--provider", p, "--trigger", "pubsub", "--function", "notify-customer", "--data", ok, shop}, 0,
			[]string{`"type": "google.cloud.pubsub.topic.v1.messagePublished"`, `"subscription": "projects/polyfn-invoke/subscriptions/notify-customer"`, "204 No Content"}})
	}
	tests = append(tests, tc{"no trigger", []string{"--provider", "aws", "--function", "echo", echo}, 2,
		[]string{`--trigger is required for event function "echo"`, "sqs"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"invoke"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("output lacks %s:\n%s\n%s", want, stdout, stderr)
				}
			}
		})
	}
}
