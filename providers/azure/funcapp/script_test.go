package funcapp

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// fakeAz is an az command that logs its arguments, copies an @file
// argument, answers the queries configure.sh makes, and remembers a role
// assignment so that a second run finds it.
const fakeAz = `#!/usr/bin/env bash
echo "$*" >>"$AZ_LOG"
for a in "$@"; do case "$a" in @*) cp "${a#@}" "$AZ_SETTINGS" ;; esac; done
case "$1 $2 $3" in
"functionapp identity assign") echo 11111111-2222-3333-4444-555555555555 ;;
"keyvault show --name") echo "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/$4" ;;
"role assignment list") cat "$AZ_STATE" 2>/dev/null || true ;;
"role assignment create") echo /assignments/1 >"$AZ_STATE" ;;
esac
`

// writeScript writes the settings app's appsettings.json and configure.sh
// into a new folder, and returns bash and the folder.
func writeScript(t *testing.T) (bash, dir string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("configure.sh needs bash: ", err)
	}
	files, err := Files(settingsApp(t), HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	for _, name := range []string{SettingsFile, ScriptFile} {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return bash, dir
}

// TestScriptRuns runs the settings app's configure.sh three times (PLAN
// premium, flex, consumption) against a fake az: later runs succeed and
// create nothing again, each plan gets its warnings, the settings
// reach az with the parameters in place (quotes and '&' intact), and the
// secret stays a Key Vault reference.
func TestScriptRuns(t *testing.T) {
	bash, dir := writeScript(t)
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(fakeAz), 0o755); err != nil {
		t.Fatal(err)
	}
	log, sent := filepath.Join(dir, "az.log"), filepath.Join(dir, "sent.json")
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AZ_LOG="+log, "AZ_SETTINGS="+sent, "AZ_STATE="+filepath.Join(dir, "state"),
		"FUNCTION_APP=shop-fn", "RESOURCE_GROUP=shop-rg", "KEY_VAULT_NAME=shop-kv", `SHOP_REGION=eu "west" & co`)
	for _, plan := range []string{"premium", "flex", "consumption"} {
		cmd := exec.Command(bash, filepath.Join(dir, ScriptFile))
		cmd.Env = append(env, "PLAN="+plan)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("PLAN=%s: %v\n%s", plan, err, out)
		}
		if warned := strings.Contains(string(out), "timer triggers run in UTC"); warned != (plan != "premium") {
			t.Errorf("PLAN=%s: warned about the time zone: %v\n%s", plan, warned, out)
		}
		if warned := strings.Contains(string(out), "stops functions after 10 minutes"); warned != (plan == "consumption") {
			t.Errorf("PLAN=%s: warned about functionTimeout: %v\n%s", plan, warned, out)
		}
	}
	calls, _ := os.ReadFile(log)
	if n := strings.Count(string(calls), "role assignment create"); n != 1 {
		t.Errorf("role assignment created %d times over two runs:\n%s", n, calls)
	}
	for _, want := range []string{"functionapp config appsettings set --name shop-fn --resource-group shop-rg --settings @",
		"properties.functionAppScaleLimit=50 properties.minimumElasticInstanceCount=2",
		"functionapp scale config set --name shop-fn --resource-group shop-rg --instance-memory 4096 --maximum-instance-count 50",
		"functionapp scale config always-ready set --name shop-fn --resource-group shop-rg --settings function:inventory=2 http=1"} {
		if !strings.Contains(string(calls), want) {
			t.Errorf("az calls lack %q:\n%s", want, calls)
		}
	}
	b, err := os.ReadFile(sent)
	if err != nil {
		t.Fatal(err)
	}
	var got []AppSetting
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("settings sent to az are not JSON: %v\n%s", err, b)
	}
	values := map[string]string{}
	for _, s := range got {
		values[s.Name] = s.Value
	}
	want := map[string]string{
		"SHOP_API_KEY":      "@Microsoft.KeyVault(SecretUri=https://shop-kv.vault.azure.net/secrets/SHOP-API-KEY/)",
		"SHOP_REGION":       `eu "west" & co`,
		"SHOP_LOG_LEVEL":    "info",
		"WEBSITE_TIME_ZONE": "Europe/Paris",
		"KafkaPassword":     "@Microsoft.KeyVault(SecretUri=https://shop-kv.vault.azure.net/secrets/KafkaPassword/)",
	}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("%s = %q, want %q", k, values[k], v)
		}
	}
}

// TestScriptSyntax checks every golden app's configure.sh with bash -n.
func TestScriptSyntax(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("configure.sh needs bash: ", err)
	}
	for name, app := range map[string]func(*testing.T) *core.App{"mixed": mixedApp, "http-only": httpOnlyApp, "direct": directApp, "settings": settingsApp, "resources": resourceApp} {
		files, err := Files(app(t), HostOptions{})
		if err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(t.TempDir(), ScriptFile)
		if err := os.WriteFile(script, files[ScriptFile], 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", name, err, out)
		}
	}
}

// TestScriptRefusesMissingParameters: a required parameter missing stops
// the script before it calls az.
func TestScriptRefusesMissingParameters(t *testing.T) {
	bash, dir := writeScript(t)
	cmd := exec.Command(bash, filepath.Join(dir, ScriptFile))
	cmd.Env = []string{"PATH=" + dir, "FUNCTION_APP=a", "RESOURCE_GROUP=b", "KEY_VAULT_NAME=c"}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "set SHOP_REGION") {
		t.Errorf("script without SHOP_REGION: %v\n%s", err, out)
	}
}

// TestAppSettingsNeverHoldSecrets: a secret's setting is a Key Vault
// reference and its value appears nowhere in the files.
func TestAppSettingsNeverHoldSecrets(t *testing.T) {
	s, err := AppSettings(settingsApp(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range s.App {
		if a.Name == "SHOP_API_KEY" && a.Value != KeyVaultReference("SHOP_API_KEY") {
			t.Errorf("SHOP_API_KEY = %q", a.Value)
		}
	}
	ls, err := LocalSettings(settingsApp(t))
	if err != nil {
		t.Fatal(err)
	}
	if v := ls["Values"].(map[string]string)["SHOP_API_KEY"]; v != "" {
		t.Errorf("local.settings.json SHOP_API_KEY = %q, want empty to fill in", v)
	}
}
