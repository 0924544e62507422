package main

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/polyfn/polyfn/core"
)

// useTemplates are the SAM policy templates a resource use maps to, by the
// kind of resource they name.
var useTemplates = map[string]core.ResourceKind{
	"SNSPublishMessagePolicy": core.ResourceTopic, "SQSSendMessagePolicy": core.ResourceQueue,
	"S3ReadPolicy": core.ResourceBucket, "S3WritePolicy": core.ResourceBucket, "S3CrudPolicy": core.ResourceBucket,
	"DynamoDBReadPolicy": core.ResourceTable, "DynamoDBWritePolicy": core.ResourceTable, "DynamoDBCrudPolicy": core.ResourceTable,
}

var subRefRE = regexp.MustCompile(`\$\{([A-Za-z0-9]+)[.}]`)

// TestManifestAWSResources checks issue 15's contract on the shop's SAM
// template: an AWS::SNS::Topic for order-placed, which only fulfil's
// policies can publish to; api's policies send to the orders queue and
// publish nowhere else; and every function's policies name only the
// resources it declares, each of which its environment locates.
func TestManifestAWSResources(t *testing.T) {
	t.Setenv("SHOP_API_KEY", "") // building needs no setting
	code, stdout, stderr := runCLI(t, "manifest", "--provider", "aws", "../../examples/shop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(stdout), &tpl); err != nil {
		t.Fatal(err)
	}
	topics := 0
	for _, r := range tpl.Resources {
		if r.Type == "AWS::SNS::Topic" && r.Properties["TopicName"] == "order-placed" {
			topics++
		}
	}
	if topics != 1 {
		t.Errorf("%d AWS::SNS::Topic named order-placed, want 1", topics)
	}

	e := &env{stdout: io.Discard, stderr: io.Discard, progress: func(string, ...any) {}}
	app, _, err := loadApp(context.Background(), e, "../../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	// The template's logical ids of the resources, from the URLs in the
	// functions' environments.
	byID := map[string]core.Resource{}
	for _, r := range app.Resources() {
		for _, res := range tpl.Resources {
			environment, _ := res.Properties["Environment"].(map[string]any)
			vars, _ := environment["Variables"].(map[string]any)
			url, _ := vars[r.EnvVar()].(map[string]any)
			sub, _ := url["Fn::Sub"].(string)
			for _, m := range subRefRE.FindAllStringSubmatch(sub, -1) {
				byID[m[1]] = r
			}
		}
	}
	publishers := map[string][]string{} // "topic order-placed" → functions
	for _, f := range app.Functions() {
		res := tpl.Resources[logical(f.Name)+"Function"]
		var named, declared []string
		policies, _ := res.Properties["Policies"].([]any)
		for _, p := range policies {
			for tmpl, v := range p.(map[string]any) {
				kind, ok := useTemplates[tmpl]
				if !ok {
					continue
				}
				for _, target := range v.(map[string]any) {
					name, _ := target.(string)
					if m, ok := target.(map[string]any); ok {
						id, _ := m["Ref"].(string)
						name = byID[id].Name
					}
					what := string(kind) + " " + name
					named = append(named, what)
					if tmpl == "SNSPublishMessagePolicy" || tmpl == "SQSSendMessagePolicy" {
						publishers[what] = append(publishers[what], f.Name)
					}
				}
			}
		}
		for _, u := range f.Uses {
			declared = append(declared, u.Resource.String())
		}
		for _, tr := range f.Triggers {
			if tr.Kind == core.TriggerStorage {
				declared = append(declared, "bucket "+tr.Name) // the trigger reads its bucket
			}
		}
		slices.Sort(named)
		slices.Sort(declared)
		if named = slices.Compact(named); !slices.Equal(named, slices.Compact(declared)) {
			t.Errorf("%s's policies name %q; it declares %q", f.Name, named, declared)
		}
	}
	if got := publishers["topic order-placed"]; !slices.Equal(got, []string{"fulfil"}) {
		t.Errorf("order-placed: published to by %q, want only fulfil", got)
	}
	var api []string
	for what, fns := range publishers {
		if slices.Contains(fns, "api") {
			api = append(api, what)
		}
	}
	if !slices.Equal(api, []string{"queue orders"}) {
		t.Errorf("api publishes to %q, want only the orders queue", api)
	}
}

// logical is a function's logical id in the template: "notify-customer"
// → "NotifyCustomer".
func logical(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
