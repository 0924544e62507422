package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/cloudflare/cloudflaretest"
	"github.com/polyfn/polyfn/internal/cehttp"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// TestCloudflareBuildContract: polyfn build --provider cloudflare --out DIR
// writes the Worker's folder, and workerd serving DIR/cloudflare/
// workerd.capnp answers a binary-mode CloudEvent at POST /echo with the
// echo reply, as the local adapter does.
func TestCloudflareBuildContract(t *testing.T) {
	cloudflaretest.RequireWorkerd(t)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "build", "--provider", "cloudflare", "--out", out, "../../examples/echo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	dir := filepath.Join(out, "cloudflare")
	for _, f := range []string{pcf.ShimFile, pcf.WasmFile, pcf.WasmExecFile, pcf.WranglerFile, pcf.WorkerdFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the build wrote no %s: %v", f, err)
		}
	}
	w := cloudflaretest.Serve(t, dir, pcf.WorkerdFile, false)
	resp, body := w.Post(t, "/echo", http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"c-1"}, "Ce-Source": {"/contract"},
		"Ce-Type": {"com.example.contract"}, "Content-Type": {"application/json"}}, []byte(`{"order":"A-7"}`))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /echo: status %d: %s", resp.StatusCode, body)
	}
	reply, err := cehttp.ReadBinary(resp.Header, body)
	if err != nil || reply.Type() != "polyfn.echo.reply" || !strings.Contains(string(reply.Data()), `"A-7"`) {
		t.Errorf("POST /echo: reply %v (%v): want ce-type polyfn.echo.reply echoing the event", reply, err)
	}
}

// TestCloudflareInvokeContract runs polyfn invoke --provider cloudflare's
// command lines other tools rely on, under workerd.
func TestCloudflareInvokeContract(t *testing.T) {
	cloudflaretest.RequireWorkerd(t)
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
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"schedule", []string{"--trigger", "schedule", "--function", "nightly-report", shop}, 0,
			[]string{`"polyfnkind": "schedule.fired"`, `"type": "com.cloudflare.workers.cron.fired"`, "== logs"}},
		{"queue/all succeed", []string{"--trigger", "queue", "--function", "echo", "--data", ok, "--data", ok, echo}, 0,
			[]string{`"polyfnkind": "queue.message"`, `"explicitAcks":["polyfn-invoke-1","polyfn-invoke-2"]`}},
		{"queue/one fails", []string{"--trigger", "queue", "--function", "echo", "--data", ok, "--data", fail, echo}, 1,
			[]string{"failure requested by event", "echo failed", "1 of 2 messages retried (polyfn-invoke-2)"}},
		{"http", []string{"--trigger", "http", "--function", "http-echo", "--data", ok, echo}, 0,
			[]string{"A-7", "200 OK"}},
		{"no such trigger", []string{"--trigger", "sqs", "--function", "echo", echo}, 2,
			[]string{"deliver http, schedule and queue"}},
		{"schedule without a cron", []string{"--trigger", "schedule", "--function", "echo", echo}, 2,
			[]string{"has no schedule"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"invoke", "--provider", "cloudflare"}, tt.args...)...)
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

// TestCloudflareManifest: polyfn manifest --provider cloudflare prints
// wrangler.jsonc and workerd.capnp, and refuses a schedule outside UTC.
func TestCloudflareManifest(t *testing.T) {
	code, stdout, stderr := runCLI(t, "manifest", "--provider", "cloudflare", "../../examples/echo")
	if code != 0 || !strings.Contains(stdout, `"main": "worker.mjs"`) || !strings.Contains(stdout, `wasm = embed "app.wasm"`) {
		t.Errorf("echo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "manifest", "--provider", "cloudflare", "../../examples/shop")
	if code != 1 || !strings.Contains(stderr, `"Europe/Paris"`) || !strings.Contains(stderr, "UTC only") {
		t.Errorf("shop: exit %d, want 1 naming the zone Europe/Paris\n%s\n%s", code, stdout, stderr)
	}
}
