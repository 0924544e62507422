package gcloud

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/gcp"
)

// TestScriptSyntax checks the generated scripts with the shells' own
// parsers: sh -n (the script is POSIX), and bash -n when bash is there.
func TestScriptSyntax(t *testing.T) {
	script, err := Script(scriptApp(t), Options{Source: "build/my source"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "deploy.sh")
	if err := os.WriteFile(path, script, 0o755); err != nil {
		t.Fatal(err)
	}
	shells := []string{"sh"}
	if _, err := exec.LookPath("bash"); err == nil {
		shells = append(shells, "bash")
	}
	for _, sh := range shells {
		if out, err := exec.Command(sh, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, out)
		}
	}
}

// fakeGcloud stands for gcloud and sleep: it logs each command's
// arguments, one per line, then a line "--", and answers describe
// commands as if everything existed when $EXISTS is 1 (secrets when
// $SECRETS is 1). A Cloud Run service's latest revision is NAME-00001,
// or NAME-00002 once the script deployed the function.
const fakeGcloud = `#!/bin/sh
printf '%s\n' "$(basename "$0")" "$@" -- >>"$LOG"
[ "$(basename "$0")" = sleep ] && exit 0
case "$1 $2 $3" in
"secrets describe "*) [ "${SECRETS:-}" = 1 ] ;;
"config get-value project") echo p ;;
"functions deploy "*) touch "$STATE/deployed-$3" ;;
"functions describe "*) [ "${EXISTS:-}" = 1 ] || [ -e "$STATE/deployed-$3" ] || exit 1; echo "projects/p/locations/r/services/$3" ;;
"run services describe") if [ -e "$STATE/deployed-$4" ] && [ "${EXISTS:-}" = 1 ]; then echo "$4-00002"; else echo "$4-00001"; fi ;;
*describe*) [ "${EXISTS:-}" = 1 ] ;;
esac
`

// runScript runs script with fakeGcloud and returns its exit error, its
// standard error and the commands it ran.
func runScript(t *testing.T, script []byte, env ...string) (error, string, [][]string) {
	t.Helper()
	dir := t.TempDir()
	bin, state := filepath.Join(dir, "bin"), filepath.Join(dir, "state")
	for _, d := range []string{bin, state} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"gcloud", "sleep"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(fakeGcloud), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path, log := filepath.Join(dir, "deploy.sh"), filepath.Join(dir, "log")
	if err := os.WriteFile(path, script, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", path)
	cmd.Env = append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "LOG=" + log, "STATE=" + state}, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	b, _ := os.ReadFile(log)
	var cmds [][]string
	var cur []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "--" {
			cmds = append(cmds, cur)
			cur = nil
			continue
		}
		cur = append(cur, line)
	}
	return err, stderr.String(), cmds
}

// find returns the commands that start with prefix.
func find(cmds [][]string, prefix ...string) [][]string {
	var out [][]string
	for _, c := range cmds {
		if len(c) >= len(prefix) && slices.Equal(c[:len(prefix)], prefix) {
			out = append(out, c)
		}
	}
	return out
}

// flag returns the value of --name in c.
func flag(c []string, name string) (string, bool) {
	for _, a := range c {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// TestScriptRuns runs the deploy script against a stand-in gcloud: on a
// fresh project and again on one where everything exists (the script is
// re-runnable), and with a setting or a secret missing (it stops before
// deploying anything).
func TestScriptRuns(t *testing.T) {
	script, err := Script(scriptApp(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const pusher = "pusher@p.iam.gserviceaccount.com"
	base := []string{"SECRETS=1", "SHOP_REGION=eu", "SHOP_LOG_LEVEL=", "TRIGGER_SERVICE_ACCOUNT=" + pusher}

	t.Run("fresh project", func(t *testing.T) {
		err, stderr, cmds := runScript(t, script, base...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if len(find(cmds, "gcloud", "pubsub", "topics", "create", "orders")) != 1 {
			t.Error("the orders topic was not created")
		}
		if len(find(cmds, "gcloud", "scheduler", "jobs", "create", "pubsub", "nightly-report")) != 1 {
			t.Error("the nightly-report job was not created")
		}
		deploys := find(cmds, "gcloud", "functions", "deploy")
		if len(deploys) != len(scriptApp(t).Functions()) {
			t.Fatalf("%d deploys", len(deploys))
		}
		functions := map[string]*core.Function{}
		for _, f := range scriptApp(t).Functions() {
			functions[f.Name] = f
		}
		for _, d := range deploys {
			f := functions[d[3]]
			if f == nil {
				t.Fatalf("deploy of an unknown function %q", d[3])
			}
			http := f.Triggers[0].Kind == core.TriggerHTTP
			if retry := slices.Contains(d, "--retry"); retry == http {
				t.Errorf("%s: --retry %t for an HTTP trigger: %t", f.Name, retry, http)
			}
			account, hasAccount := flag(d, "trigger-service-account")
			switch {
			case http && f.Deploy.Public && (!slices.Contains(d, "--allow-unauthenticated") || slices.Contains(d, "--no-allow-unauthenticated")):
				t.Errorf("%s: a public HTTP function must allow unauthenticated calls: %q", f.Name, d)
			case http && !f.Deploy.Public && (!slices.Contains(d, "--no-allow-unauthenticated") || slices.Contains(d, "--allow-unauthenticated")):
				t.Errorf("%s: a private HTTP function must not allow unauthenticated calls: %q", f.Name, d)
			case http && hasAccount:
				t.Errorf("%s: an HTTP function has no trigger service account: %q", f.Name, d)
			case !http && account != pusher:
				t.Errorf("%s: trigger service account %q, want %q", f.Name, account, pusher)
			case !http && len(find(cmds, "gcloud", "functions", "add-invoker-policy-binding", f.Name, "--region=us-central1", "--member=serviceAccount:"+pusher)) != 1:
				t.Errorf("%s: the trigger's service account was not made an invoker once", f.Name)
			}
			if !slices.Contains(d, "--set-env-vars=^||^SHOP_GREETING=it's, here") || !slices.Contains(d, "--set-env-vars=^||^SHOP_LOG_LEVEL=info") ||
				!slices.Contains(d, "--set-env-vars=^||^SHOP_REGION=eu") || !slices.Contains(d, "--set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest") {
				t.Errorf("%s: settings not passed as declared: %q", f.Name, d)
			}
		}
		if len(find(cmds, "sleep")) != 0 {
			t.Error("a first deploy has nothing to roll out gradually")
		}
		if grants := find(cmds, "gcloud", "functions", "add-invoker-policy-binding"); len(grants) != 9 {
			t.Errorf("%d invoker grants, want one per event function (9)", len(grants))
		}
	})

	t.Run("everything exists", func(t *testing.T) {
		err, stderr, cmds := runScript(t, script, append(base, "EXISTS=1")...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if len(find(cmds, "gcloud", "pubsub", "topics", "create")) != 0 || len(find(cmds, "gcloud", "scheduler", "jobs", "create")) != 0 {
			t.Error("a second run created a topic or a job again")
		}
		if len(find(cmds, "gcloud", "scheduler", "jobs", "update", "pubsub", "nightly-report")) != 1 {
			t.Error("the nightly-report job was not updated")
		}
		var traffic []string
		for _, c := range find(cmds, "gcloud", "run", "services", "update-traffic", "item") {
			traffic = append(traffic, c[len(c)-1])
		}
		want := []string{"--to-revisions=item-00001=100", "--to-revisions=item-00002=25,item-00001=75",
			"--to-revisions=item-00002=50,item-00001=50", "--to-revisions=item-00002=75,item-00001=25", "--to-latest"}
		if !slices.Equal(traffic, want) {
			t.Errorf("linear rollout of item:\n%q\nwant\n%q", traffic, want)
		}
		if sleeps := find(cmds, "sleep"); len(sleeps) != 4 || sleeps[0][1] != "300" || sleeps[1][1] != "90" {
			t.Errorf("sleeps %q, want one of 300 s (api's canary) and three of 90 s (item)", sleeps)
		}
		if !strings.Contains(stderr, "roll back with: gcloud run services update-traffic api --region=us-central1 --to-revisions=api-00001=100") {
			t.Errorf("no roll-back command printed:\n%s", stderr)
		}
	})

	for _, tt := range []struct {
		name string
		env  []string
		want string
	}{
		{"missing secret", []string{"SHOP_REGION=eu", "TRIGGER_SERVICE_ACCOUNT=" + pusher}, "the Secret Manager secret SHOP_API_KEY (SHOP_API_KEY: the key API callers send) does not exist"},
		{"missing required setting", []string{"SECRETS=1", "TRIGGER_SERVICE_ACCOUNT=" + pusher}, "set SHOP_REGION (required) before running this script"},
		{"missing trigger service account", []string{"SECRETS=1", "SHOP_REGION=eu"}, "set TRIGGER_SERVICE_ACCOUNT to the email of the service account event triggers deliver as"},
		{"empty trigger service account", []string{"SECRETS=1", "SHOP_REGION=eu", "TRIGGER_SERVICE_ACCOUNT="}, "set TRIGGER_SERVICE_ACCOUNT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err, stderr, cmds := runScript(t, script, tt.env...)
			if err == nil || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %v, stderr %q; want a failure saying %q", err, stderr, tt.want)
			}
			if len(find(cmds, "gcloud", "functions", "deploy")) != 0 {
				t.Fatal("deployed before checking the settings and parameters")
			}
		})
	}

	// What the scheduler job publishes reaches the function as a schedule.
	t.Run("schedule fires", func(t *testing.T) {
		_, _, cmds := runScript(t, script, base...)
		jobs := find(cmds, "gcloud", "scheduler", "jobs", "create", "pubsub", "nightly-report")
		if len(jobs) != 1 {
			t.Fatal("no job created")
		}
		attrs := map[string]string{}
		list, _ := flag(jobs[0], "attributes")
		for _, kv := range strings.Split(list, ",") {
			k, v, _ := strings.Cut(kv, "=")
			attrs[k] = v
		}
		body, _ := flag(jobs[0], "message-body")
		topic, _ := flag(jobs[0], "topic")
		data, _ := json.Marshal(map[string]any{
			"message":      map[string]any{"data": base64.StdEncoding.EncodeToString([]byte(body)), "messageId": "1", "attributes": attrs},
			"subscription": "projects/p/subscriptions/eventarc-" + topic,
		})
		e := core.NewEvent("1", "//pubsub.googleapis.com/projects/p/topics/"+topic, gcp.TypePubSubMessagePublished, "application/json", data)
		got, err := gcp.FromCloudEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if k := core.EventKindOf(got); k != core.KindScheduleFired || attrs[gcp.ScheduleJobAttribute] != "nightly-report" {
			t.Fatalf("the function sees %q (attributes %v), want %q", k, attrs, core.KindScheduleFired)
		}
	})
}
