package sam

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/polyfn/polyfn/core"
)

// samDoc is a SAM template read back as generic YAML.
type samDoc struct {
	Format     string                    `yaml:"AWSTemplateFormatVersion"`
	Transform  string                    `yaml:"Transform"`
	Parameters map[string]map[string]any `yaml:"Parameters"`
	Globals    struct {
		Function map[string]any `yaml:"Function"`
		HttpApi  map[string]any `yaml:"HttpApi"`
	} `yaml:"Globals"`
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Properties map[string]any `yaml:"Properties"`
	} `yaml:"Resources"`
}

func parseTemplate(t *testing.T, b []byte) samDoc {
	t.Helper()
	var doc samDoc
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the template is not YAML: %v", err)
	}
	return doc
}

// getAtt returns the logical id of a {"Fn::GetAtt": [id, attr]} value.
func getAtt(v any) string {
	m, _ := v.(map[string]any)
	l, _ := m["Fn::GetAtt"].([]any)
	if len(l) != 2 {
		return ""
	}
	id, _ := l[0].(string)
	return id
}

func ref(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

// TestTemplateDeclarations reads the template back and checks what it
// must carry for the App of samApp, derived from the App itself:
// parameters for settings and never a value, queues with a dead-letter
// queue, a redrive policy and a visibility timeout at least six times
// their functions' timeout, the knobs, and canary rollouts with alarms.
func TestTemplateDeclarations(t *testing.T) {
	app := samApp(t)
	b, err := Template(app, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tpl := parseTemplate(t, b)

	t.Run("settings", func(t *testing.T) {
		env, _ := tpl.Globals.Function["Environment"].(map[string]any)["Variables"].(map[string]any)
		for _, s := range app.Settings() {
			id := parameterID(s.Name)
			if s.Secret {
				id += "Secret"
			}
			p, ok := tpl.Parameters[id]
			if !ok {
				t.Fatalf("no parameter %s for setting %s", id, s.Name)
			}
			if p["Type"] != "String" || !strings.Contains(p["Description"].(string), s.Name) {
				t.Errorf("parameter %s: %v", id, p)
			}
			def, hasDefault := p["Default"]
			switch {
			case s.Secret:
				sub, _ := env[s.Name].(map[string]any)["Fn::Sub"].(string)
				if p["NoEcho"] != true || def != s.Name || sub != "{{resolve:secretsmanager:${"+id+"}}}" {
					t.Errorf("secret %s: parameter %v, variable %v", s.Name, p, env[s.Name])
				}
			case s.Required:
				if hasDefault || ref(env[s.Name]) != id {
					t.Errorf("required %s: parameter %v, variable %v", s.Name, p, env[s.Name])
				}
			default:
				if def != s.Default || ref(env[s.Name]) != id {
					t.Errorf("%s: parameter %v, variable %v", s.Name, p, env[s.Name])
				}
			}
		}
	})

	// timeouts: each function's timeout in seconds, by logical id.
	timeouts := map[string]int{}
	for _, f := range app.Functions() {
		secs, err := timeoutSeconds(f)
		if err != nil {
			t.Fatal(err)
		}
		timeouts[logicalID(f.Name)+"Function"] = secs
	}

	t.Run("queues", func(t *testing.T) {
		created := 0
		for id, r := range tpl.Resources {
			if r.Type != "AWS::Serverless::Function" {
				continue
			}
			for name, ev := range r.Properties["Events"].(map[string]any) {
				ev := ev.(map[string]any)
				if ev["Type"] != "SQS" {
					continue
				}
				qid := getAtt(ev["Properties"].(map[string]any)["Queue"])
				if qid == "" {
					continue // a queue given with .With("aws", "arn", ...)
				}
				created++
				q := tpl.Resources[qid]
				vis, _ := q.Properties["VisibilityTimeout"].(int)
				if vis < 6*timeouts[id] {
					t.Errorf("%s/%s: queue %s visibility %d s, below 6 × %d s", id, name, qid, vis, timeouts[id])
				}
				redrive, _ := q.Properties["RedrivePolicy"].(map[string]any)
				dlq := tpl.Resources[getAtt(redrive["deadLetterTargetArn"])]
				if dlq.Type != "AWS::SQS::Queue" || redrive["maxReceiveCount"] != 5 {
					t.Errorf("queue %s: redrive %v to %+v", qid, redrive, dlq)
				}
				if dlq.Properties["FifoQueue"] != q.Properties["FifoQueue"] {
					t.Errorf("queue %s and its dead-letter queue differ in FifoQueue", qid)
				}
			}
		}
		if created == 0 {
			t.Fatal("no queue created")
		}
	})

	t.Run("failed events and stream records", func(t *testing.T) {
		for _, f := range app.Functions() {
			r := tpl.Resources[logicalID(f.Name)+"Function"]
			async := false
			for _, tr := range f.Triggers {
				async = async || asyncKinds[tr.Kind]
			}
			dlq, _ := r.Properties["DeadLetterQueue"].(map[string]any)
			if has := dlq != nil && tpl.Resources[getAtt(dlq["TargetArn"])].Type == "AWS::SQS::Queue"; has != async {
				t.Errorf("%s: dead-letter queue %v, want one: %t", f.Name, dlq, async)
			}
			for name, ev := range r.Properties["Events"].(map[string]any) {
				ev := ev.(map[string]any)
				if ev["Type"] != "Kinesis" && ev["Type"] != "DynamoDB" {
					continue
				}
				props := ev["Properties"].(map[string]any)
				onFailure, _ := props["DestinationConfig"].(map[string]any)["OnFailure"].(map[string]any)
				if props["MaximumRetryAttempts"] != 5 || onFailure["Type"] != "SQS" || tpl.Resources[getAtt(onFailure["Destination"])].Type != "AWS::SQS::Queue" {
					t.Errorf("%s/%s: stream retries forever or without an on-failure queue: %v", f.Name, name, props)
				}
			}
		}
	})

	t.Run("knobs and rollouts", func(t *testing.T) {
		for _, f := range app.Functions() {
			id := logicalID(f.Name) + "Function"
			p := tpl.Resources[id].Properties
			d := f.Deploy
			want := map[string]any{"MemorySize": d.MemoryMB, "ReservedConcurrentExecutions": d.MaxInstances}
			for k, v := range want {
				if v == 0 {
					v = nil
				}
				if p[k] != v {
					t.Errorf("%s: %s = %v, want %v", f.Name, k, p[k], v)
				}
			}
			pc, _ := p["ProvisionedConcurrencyConfig"].(map[string]any)
			if (d.MinInstances > 0) != (pc != nil) || pc != nil && pc["ProvisionedConcurrentExecutions"] != d.MinInstances {
				t.Errorf("%s: provisioned %v, want %d", f.Name, pc, d.MinInstances)
			}
			pref, _ := p["DeploymentPreference"].(map[string]any)
			if d.Rollout.Strategy == core.RolloutAllAtOnce {
				if pref != nil {
					t.Errorf("%s: a deployment preference without a rollout", f.Name)
				}
				continue
			}
			if p["AutoPublishAlias"] != Alias || pref == nil {
				t.Fatalf("%s: rollout %s without an alias and a preference: %v", f.Name, d.Rollout, p)
			}
			alarms, _ := pref["Alarms"].([]any)
			if len(alarms) != 1 || tpl.Resources[ref(alarms[0])].Type != "AWS::CloudWatch::Alarm" {
				t.Errorf("%s: alarms %v", f.Name, alarms)
			} else if dims := tpl.Resources[ref(alarms[0])].Properties["Dimensions"].([]any); ref(dims[1].(map[string]any)["Value"]) != id {
				t.Errorf("%s: the alarm watches %v", f.Name, dims)
			}
			mins := int(d.Rollout.Interval.Minutes())
			if name := predefinedConfig(d.Rollout, mins); name != "" {
				if pref["Type"] != name {
					t.Errorf("%s: type %v, want %s", f.Name, pref["Type"], name)
				}
				continue
			}
			cfg := tpl.Resources[ref(pref["Type"])]
			routing, _ := cfg.Properties["TrafficRoutingConfig"].(map[string]any)
			key := map[core.RolloutStrategy]string{core.RolloutCanary: "Canary", core.RolloutLinear: "Linear"}[d.Rollout.Strategy]
			step, _ := routing["TimeBased"+key].(map[string]any)
			if cfg.Type != "AWS::CodeDeploy::DeploymentConfig" || step[key+"Percentage"] != d.Rollout.Percent || step[key+"Interval"] != mins {
				t.Errorf("%s: deployment config %+v for %s", f.Name, cfg, d.Rollout)
			}
		}
	})

	t.Run("access", func(t *testing.T) {
		auth, _ := tpl.Globals.HttpApi["Auth"].(map[string]any)
		if auth["EnableIamAuthorizer"] != true || auth["DefaultAuthorizer"] != "AWS_IAM" {
			t.Fatalf("the HTTP API does not require IAM by default: %v", tpl.Globals.HttpApi)
		}
		routes := 0
		for _, f := range app.Functions() {
			events, _ := tpl.Resources[logicalID(f.Name)+"Function"].Properties["Events"].(map[string]any)
			for name, e := range events {
				ev := e.(map[string]any)
				if ev["Type"] != "HttpApi" {
					continue
				}
				routes++
				props := ev["Properties"].(map[string]any)
				auth, _ := props["Auth"].(map[string]any)
				authorizer, _ := auth["Authorizer"].(string)
				want := "" // the API's default: AWS_IAM
				if f.Deploy.Public {
					want = "NONE"
				}
				if authorizer != want {
					t.Errorf("%s %s: authorizer %q, want %q (public %t)", f.Name, name, authorizer, want, f.Deploy.Public)
				}
			}
		}
		if routes == 0 {
			t.Fatal("no HTTP API route checked")
		}
	})

	t.Run("cfn-lint", func(t *testing.T) { cfnLint(t, b) })
}

// cfnLint runs cfn-lint, which applies the SAM transform, on the template
// b when it is installed.
func cfnLint(t *testing.T, b []byte) {
	t.Helper()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed; the checks above still ran")
	}
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, path).CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
