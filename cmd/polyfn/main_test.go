package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
)

// runCLI runs one command line in-process and returns its exit status and
// output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr}
	e.progress = func(format string, args ...any) {}
	code := run(context.Background(), e, args)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{nil, 2, "Commands:"},
		{[]string{"--help"}, 0, "Commands:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"build", "--help"}, 0, "Usage: polyfn build --provider"},
		{[]string{"manifest", "--help"}, 0, "Usage: polyfn manifest"},
		{[]string{"invoke", "--help"}, 0, "Usage: polyfn invoke"},
		{[]string{"describe", "--help"}, 0, "Usage: polyfn describe"},
		{[]string{"build", "./x"}, 2, "--provider is required"},
		{[]string{"build", "--provider", "oracle", "./x"}, 2, `unknown provider "oracle"`},
		{[]string{"build", "--provider", "aws", "--arch", "riscv", "./x"}, 2, `unknown architecture "riscv"`},
		{[]string{"build", "--provider", "aws"}, 2, "want one package argument, got 0"},
		{[]string{"build", "--provider", "aws", "--container", "./x"}, 2, "--container is for --provider gcp"},
		{[]string{"invoke", "--header", "no-colon", "./x"}, 2, `--header "no-colon": want 'Name: value'`},
		{[]string{"invoke", "--path", "api", "./x"}, 2, `--path "api" must start with /`},
		{[]string{"invoke", "--trigger", "carrier-pigeon", "./x"}, 2, `unknown trigger "carrier-pigeon"`},
		{[]string{"invoke", "--provider", "azure", "--trigger", "sqs", "./x"}, 2, `trigger "sqs" belongs to provider aws, not azure`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(stdout+stderr, tt.wantOut) {
				t.Fatalf("exit %d, want %d; output does not contain %q:\n%s%s", code, tt.wantCode, tt.wantOut, stdout, stderr)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	code, stdout, stderr := runCLI(t, "describe", "../../examples/echo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var spec struct {
		Functions []struct{ Name, Kind string }
	}
	if err := json.Unmarshal([]byte(stdout), &spec); err != nil || len(spec.Functions) != 2 || spec.Functions[0].Name != "echo" || spec.Functions[1].Kind != "http" {
		t.Fatalf("spec %s (%v)", stdout, err)
	}
}

func TestPackageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"describe", "./testdata/noapp"}, "defines no polyfn App: its main must build a core.App and pass it to adapters.Run"},
		{[]string{"describe", "./testdata/missing"}, "reading the app of ./testdata/missing"},
		{[]string{"invoke", "--trigger", "sqs", "--function", "nope", "../../examples/echo"}, `no function "nope" in the app (it has echo, http-echo)`},
		{[]string{"invoke", "--trigger", "sqs", "../../examples/echo"}, "the app has 2 functions (echo, http-echo): name the one to serve with --function"},
		{[]string{"invoke", "--trigger", "sqs", "--function", "http-echo", "../../examples/echo"}, `function "http-echo" is an http function; trigger "sqs" does not fit it`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr does not contain %q:\n%s%s", code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestSelectFunction checks --function against an App in memory: the
// errors are usage errors (exit 2) that name the functions the App has.
func TestSelectFunction(t *testing.T) {
	app := core.NewApp()
	noop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	core.Must(app.Event("orders", noop))
	core.Must(app.HTTP("api", http.NotFoundHandler()))
	one := core.NewApp()
	core.Must(one.Event("only", noop))
	tests := []struct {
		name     string
		app      *core.App
		function string
		want     string // the function selected, or the error's text
		wantErr  bool
	}{
		{"by name", app, "api", "api", false},
		{"the only function", one, "", "only", false},
		{"unknown name", app, "nope", `no function "nope" in the app (it has api, orders)`, true},
		{"several, no name", app, "", "the app has 2 functions (api, orders): name the one to serve with --function", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := selectFunction(tt.app, tt.function)
			if tt.wantErr {
				if err == nil || err.Error() != tt.want || !errors.As(err, new(usageError)) {
					t.Fatalf("error %v (%T), want usage error %q", err, err, tt.want)
				}
				return
			}
			if err != nil || f.Name != tt.want {
				t.Fatalf("selected %v, %v; want %s", f, err, tt.want)
			}
		})
	}
}

func TestNoGoToolchain(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := runCLI(t, "describe", "../../examples/echo")
	if code != 1 || !strings.Contains(stderr, "the Go toolchain is not on PATH") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestInvokeLocal(t *testing.T) {
	code, stdout, stderr := runCLI(t, "invoke", "--provider", "local", "--trigger", "sqs", "--function", "echo", "--data", "testdata/order.json", "../../examples/echo")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"== event seen by echo", `"polyfnkind": "queue.message"`, `"order": "A-7"`, "== reply", `"type": "polyfn.echo.reply"`, "== response", "HTTP/1.1 200 OK"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, "invoke", "--trigger", "http", "--function", "http-echo", "--data", "testdata/order.json", "../../examples/echo")
	if code != 0 || !strings.Contains(stdout, `\"order\":\"A-7\"`) || !strings.Contains(stdout, `"method":"POST"`) {
		t.Fatalf("http invoke: exit %d\n%s", code, stdout)
	}
}

func TestManifestAWS(t *testing.T) {
	t.Setenv("SHOP_API_KEY", "") // building needs no setting
	code, stdout, stderr := runCLI(t, "manifest", "--provider", "aws", "../../examples/shop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`Runtime: "provided.al2023"`, `POLYFN_FUNCTION: "fulfil"`, `"ReportBatchItemFailures"`, `ScheduleExpression: "cron(0 2 * * ? *)"`, `ScheduleExpressionTimezone: "Europe/Paris"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("template lacks %s", want)
		}
	}
}

func TestManifestGCP(t *testing.T) {
	t.Setenv("SHOP_API_KEY", "") // building needs no setting
	code, stdout, stderr := runCLI(t, "manifest", "--provider", "gcp", "../../examples/shop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"gcloud functions deploy api --gen2",
		"--entry-point=fulfil",
		"--trigger-topic=orders",
		`gcloud scheduler jobs create pubsub nightly-report --location="$REGION" --schedule="0 2 * * *" --time-zone="Europe/Paris"`,
		"--trigger-http",
		"GOFLAGS=-tags=polyfn.gcpsource",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("commands lack %s:\n%s", want, stdout)
		}
	}
}

func TestInvokeGCP(t *testing.T) {
	code, stdout, stderr := runCLI(t, "invoke", "--provider", "gcp", "--trigger", "pubsub", "--function", "echo", "--data", "testdata/order.json", "../../examples/echo")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{`"type": "google.cloud.pubsub.topic.v1.messagePublished"`, `"polyfnkind": "topic.message"`,
		`"data": "eyJvcmRlciI6IkEtNyIsIml0ZW1zIjpbeyJza3UiOiJYMSIsInF0eSI6Mn1dfQo="`,
		// Event functions are plain HTTP functions to functions-framework-go
		// (package gcf), so a reply comes back in binary mode.
		"== reply", `"type": "polyfn.echo.reply"`, "HTTP/1.1 200 OK"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
}

func TestInvokeAzure(t *testing.T) {
	code, stdout, stderr := runCLI(t, "invoke", "--provider", "azure", "--trigger", "queue", "--function", "echo", "--data", "testdata/order.json", "../../examples/echo")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{`"type": "com.microsoft.azure.queuestorage.message"`, `"polyfnkind": "queue.message"`, `"order": "A-7"`,
		`"type": "polyfn.echo.reply"`, "== response (host's view)", "HTTP 200, failed=false"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
}

// TestInvokeEveryTrigger runs polyfn invoke for every trigger under its
// provider's wire protocol: the Lambda emulator, the Azure host simulator,
// the Cloud Functions contract, the local server.
func TestInvokeEveryTrigger(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs examples/echo once per trigger")
	}
	for _, trigger := range sample.Names() {
		tk, _ := sample.Lookup(trigger)
		providers := []string{tk.Provider}
		switch trigger {
		case "http":
			providers = []string{"local", "aws", "azure", "gcp"}
		case "schedule":
			providers = []string{"local", "aws", "azure", "gcp"}
		}
		for _, provider := range providers {
			t.Run(provider+"/"+trigger, func(t *testing.T) {
				fn, want := "echo", `"polyfnkind": "`+string(tk.Kind)+`"`
				if tk.Kind == core.KindHTTPRequest {
					fn, want = "http-echo", `A-7` // inside a body that each provider escapes its own way
				}
				code, stdout, stderr := runCLI(t, "invoke", "--provider", provider, "--trigger", trigger, "--function", fn, "--data", "testdata/order.json", "../../examples/echo")
				if code != 0 || !strings.Contains(stdout, want) {
					t.Fatalf("exit %d; output lacks %s:\n%s\n%s", code, want, stdout, stderr)
				}
			})
		}
	}
}

// TestManifestSecretIsAReference is the contract of issue 11: every
// manifest names SHOP_API_KEY as a parameter or secret reference and never
// carries its value, even when the value is in the environment.
func TestManifestSecretIsAReference(t *testing.T) {
	const value = "k-5ecret-value-never-written"
	t.Setenv("SHOP_API_KEY", value)
	for _, tc := range []struct {
		provider string
		want     []string
	}{
		{"aws", []string{"ShopApiKeySecret", "resolve:secretsmanager"}},
		{"azure", []string{"SHOP_API_KEY", "@Microsoft.KeyVault(SecretUri="}},
		{"gcp", []string{"--set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest"}},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, "manifest", "--provider", tc.provider, "--out", out, "../../examples/shop")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var all strings.Builder
			all.WriteString(stdout)
			filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(path)
					all.Write(b)
				}
				return err
			})
			if strings.Contains(all.String(), value) {
				t.Fatalf("a manifest carries the secret's value")
			}
			for _, w := range tc.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("manifests lack %s", w)
				}
			}
		})
	}
}
