package sam

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/providers/aws"
)

// usersARN is an existing table a function of resourceApp reads.
const usersARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/Users"

// resourceApp is a shop whose functions use topics, queues, buckets and
// tables, some of which triggers read too, and some of which exist.
func resourceApp(t *testing.T) *core.App {
	t.Helper()
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	orders := core.Table("orders")
	app := core.NewApp()
	for _, err := range []error{
		app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/"),
			core.Uses(core.Queue("orders")), core.Uses(orders, core.Read)),
		app.Event("fulfil", nop, core.OnQueue("orders"),
			core.Uses(core.Topic("order-placed")), core.Uses(orders, core.Read, core.Write), idempotency.Uses()),
		app.Event("notify-customer", nop, core.OnTopic("order-placed")),
		app.Event("nightly-report", nop, core.OnSchedule("0 2 * * *", ""),
			core.Uses(core.Bucket("shop-reports"), core.Write), core.Uses(core.Queue("audit"))),
		app.Event("uploads", nop, core.OnStorage("shop-uploads", core.KindStorageObjectCreated),
			core.Uses(core.Bucket("shop-uploads"), core.Read)),
		app.Event("legacy", nop, core.OnQueue("old").With("aws", aws.SettingARN, "arn:aws:sqs:eu-west-1:123456789012:old"),
			core.Uses(core.Queue("old")), core.Uses(core.Table("users").With("aws", aws.SettingARN, usersARN), core.Read)),
		app.Event("archive", nop, core.OnQueue("archive"),
			core.Uses(core.Bucket("shop-reports"), core.Read, core.Write), core.Uses(core.Table("sessions").WithKey("sid"), core.Write)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func TestResourcesGolden(t *testing.T) {
	got, err := Template(resourceApp(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/resources.golden.yaml", got)
}

// templateRights are the rights SAM's policy templates give on the
// resource their parameter names.
var templateRights = map[string]struct {
	kind, param string
	access      []string
}{
	"SNSPublishMessagePolicy": {"topic", "TopicName", []string{"publish"}},
	"SQSSendMessagePolicy":    {"queue", "QueueName", []string{"publish"}},
	"S3ReadPolicy":            {"bucket", "BucketName", []string{"read"}},
	"S3WritePolicy":           {"bucket", "BucketName", []string{"write"}},
	"S3CrudPolicy":            {"bucket", "BucketName", []string{"read", "write"}},
	"DynamoDBReadPolicy":      {"table", "TableName", []string{"read"}},
	"DynamoDBWritePolicy":     {"table", "TableName", []string{"write"}},
	"DynamoDBCrudPolicy":      {"table", "TableName", []string{"read", "write"}},
}

// grant is one right a function's policies give: "publish topic
// order-placed", "write table orders".
type grant string

// resourceGrants returns the rights on declared resources that a
// function's Policies give, read from SAM's policy templates and inline
// statements; tables and unnamed buckets are named by the template's
// logical ids, which byID maps back to the declared names.
func resourceGrants(t *testing.T, policies []any, byID map[string]string) []grant {
	t.Helper()
	var out []grant
	for _, p := range policies {
		m := p.(map[string]any)
		for name, v := range m {
			params, _ := v.(map[string]any)
			str := func(k string) string {
				if s, ok := params[k].(string); ok {
					if declared, ok := byID[s]; ok {
						return declared // an existing resource, by the name its ARN ends with
					}
					return s
				}
				return byID[ref(params[k])]
			}
			if rights, ok := templateRights[name]; ok {
				for _, a := range rights.access {
					out = append(out, grant(a+" "+rights.kind+" "+str(rights.param)))
				}
				continue
			}
			switch name {
			case "Statement":
				for _, s := range v.([]any) {
					res, _ := s.(map[string]any)["Resource"].(map[string]any)
					var what string
					if sub, ok := res["Fn::Sub"].(string); ok {
						what = strings.TrimSuffix(sub[strings.LastIndex(sub, ":")+1:], "/*")
						if id, ok := strings.CutPrefix(what, "${"); ok {
							what = byID[strings.TrimSuffix(id, "}")]
						}
					} else if arn, ok := s.(map[string]any)["Resource"].(string); ok {
						what = byID[arnName(arn)]
					} else {
						what = byID[getAtt(res)]
					}
					for _, a := range s.(map[string]any)["Action"].([]any) {
						out = append(out, grant("delete "+a.(string)+" "+what))
					}
				}
			case "SQSPollerPolicy", "KinesisStreamReadPolicy", "DynamoDBStreamReadPolicy":
				// A trigger's own policy.
			default:
				t.Errorf("unknown policy %s", name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// wantGrants returns what f declares: its rights on its resources, plus
// the read a storage trigger needs on its own bucket.
func wantGrants(f *core.Function) []grant {
	var out []grant
	for _, u := range f.Uses {
		for _, a := range u.Access {
			out = append(out, grant(string(a)+" "+u.Resource.String()))
		}
		if u.Resource.Kind == core.ResourceBucket && u.Can(core.Write) && !u.Can(core.Read) {
			out = append(out, grant("delete s3:DeleteObject "+u.Resource.Name))
		}
		if u.Resource.Kind == core.ResourceTable && u.Can(core.Write) && !u.Can(core.Read) {
			out = append(out, grant("delete dynamodb:DeleteItem "+u.Resource.Name))
		}
	}
	for _, tr := range f.Triggers {
		if tr.Kind == core.TriggerStorage {
			out = append(out, grant("read bucket "+tr.Name))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkLeastPrivilege checks, for every function of app, that its
// policies grant exactly what it declares, on exactly the resources it
// declares, and that its environment holds exactly their URLs.
func checkLeastPrivilege(t *testing.T, app *core.App, tpl samDoc) {
	t.Helper()
	byID := map[string]string{}
	for _, r := range app.Resources() {
		switch r.Kind {
		case core.ResourceTable:
			byID[logicalID(r.Name)+"Table"] = r.Name
		case core.ResourceBucket:
			byID[logicalID(r.Name)+"Bucket"] = r.Name
		}
		if arn := r.Setting("aws", aws.SettingARN); arn != "" {
			byID[arnName(arn)] = r.Name
		}
	}
	for _, f := range app.Functions() {
		res, ok := tpl.Resources[logicalID(f.Name)+"Function"]
		if !ok {
			t.Fatalf("no function %s", f.Name)
		}
		policies, _ := res.Properties["Policies"].([]any)
		got, want := resourceGrants(t, policies, byID), wantGrants(f)
		if !slices.Equal(got, want) {
			t.Errorf("%s grants %q; it declares %q", f.Name, got, want)
		}
		vars := res.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		var urls, wantURLs []string
		for k := range vars {
			if strings.HasPrefix(k, "POLYFN_") && strings.HasSuffix(k, "_URL") {
				urls = append(urls, k)
			}
		}
		for _, u := range f.Uses {
			wantURLs = append(wantURLs, u.Resource.EnvVar())
		}
		slices.Sort(urls)
		slices.Sort(wantURLs)
		if !slices.Equal(urls, wantURLs) {
			t.Errorf("%s has the URLs %q; want %q", f.Name, urls, wantURLs)
		}
	}
}

func TestResourcesLeastPrivilege(t *testing.T) {
	app := resourceApp(t)
	b, err := Template(app, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tpl := parseTemplate(t, b)
	checkLeastPrivilege(t, app, tpl)
	t.Run("cfn-lint", func(t *testing.T) { cfnLint(t, b) })

	// One resource per name, shared with the triggers.
	count := map[string]int{}
	for _, r := range tpl.Resources {
		count[r.Type]++
	}
	// orders, archive and audit, each with its dead-letter queue, and
	// the failure queues of notify-customer, nightly-report and uploads.
	wantCount := map[string]int{"AWS::SNS::Topic": 1, "AWS::SQS::Queue": 9, "AWS::S3::Bucket": 2, "AWS::DynamoDB::Table": 3}
	for typ, n := range wantCount {
		if count[typ] != n {
			t.Errorf("%d %s, want %d", count[typ], typ, n)
		}
	}
	exists := map[string]bool{} // "queue old": given by ARN, created by nobody
	for _, f := range app.Functions() {
		for _, tr := range f.Triggers {
			if tr.Setting("aws", aws.SettingARN) != "" {
				exists[string(tr.Kind)+" "+tr.Name] = true
			}
		}
	}
	for _, r := range app.Resources() {
		if exists[r.String()] || r.Setting("aws", aws.SettingARN) != "" {
			kind := map[core.ResourceKind]string{core.ResourceQueue: "Queue", core.ResourceTable: "Table"}[r.Kind]
			if _, ok := tpl.Resources[logicalID(r.Name)+kind]; ok {
				t.Errorf("%s exists, but the template creates it", r)
			}
			continue
		}
		switch r.Kind {
		case core.ResourceTable:
			props := tpl.Resources[logicalID(r.Name)+"Table"].Properties
			if props["BillingMode"] != "PAY_PER_REQUEST" {
				t.Errorf("%s: billing %v", r, props["BillingMode"])
			}
			key := props["KeySchema"].([]any)[0].(map[string]any)
			if key["AttributeName"] != r.Key() || key["KeyType"] != "HASH" {
				t.Errorf("%s: key schema %v", r, key)
			}
			ttl, _ := props["TimeToLiveSpecification"].(map[string]any)
			if (r.TTLField != "") != (ttl != nil) || ttl != nil && (ttl["AttributeName"] != r.TTLField || ttl["Enabled"] != true) {
				t.Errorf("%s: TTL %v, want on %q", r, ttl, r.TTLField)
			}
		case core.ResourceQueue:
			props := tpl.Resources[logicalID(r.Name)+"Queue"].Properties
			if getAtt(props["RedrivePolicy"].(map[string]any)["deadLetterTargetArn"]) != logicalID(r.Name)+"DeadLetterQueue" {
				t.Errorf("%s: redrive %v", r, props["RedrivePolicy"])
			}
			if v := props["VisibilityTimeout"].(int); v < visibilityFactor*defaultTimeout {
				t.Errorf("%s: visibility timeout %d", r, v)
			}
		case core.ResourceBucket:
			props := tpl.Resources[logicalID(r.Name)+"Bucket"].Properties
			block, _ := props["PublicAccessBlockConfiguration"].(map[string]any)
			// Named only when a storage trigger reads it (shop-uploads).
			named := props["BucketName"] == r.Name
			if len(block) != 4 || props["BucketEncryption"] == nil || named != (r.Name == "shop-uploads") {
				t.Errorf("%s: %v", r, props)
			}
		}
	}
}

func TestResourceURLs(t *testing.T) {
	tests := []struct {
		r     core.Resource
		arn   string
		named bool
		want  string
	}{
		{core.Topic("order-placed"), "", false, "awssns:///${OrderPlacedTopic}?region=${AWS::Region}"},
		{core.Topic("legacy"), "arn:aws:sns:eu-west-1:123456789012:Legacy", false, "awssns:///arn:aws:sns:eu-west-1:123456789012:Legacy?region=eu-west-1"},
		{core.Queue("orders"), "", false, "awssqs://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/${OrdersQueue.QueueName}?region=${AWS::Region}"},
		{core.Queue("old"), "arn:aws:sqs:eu-west-1:123456789012:old", false, "awssqs://sqs.eu-west-1.${AWS::URLSuffix}/123456789012/old?region=eu-west-1"},
		{core.Bucket("shop-reports"), "", false, "s3://${ShopReportsBucket}?region=${AWS::Region}"},
		{core.Bucket("shop-uploads"), "", true, "s3://shop-uploads?region=${AWS::Region}"},
		{core.Bucket("archive"), "arn:aws:s3:::acme-archive", false, "s3://acme-archive?region=${AWS::Region}"},
		{idempotency.Table, "", false, "dynamodb://${IdempotencyTable}?partition_key=id"},
		{core.Table("sessions").WithKey("sid"), "", false, "dynamodb://${SessionsTable}?partition_key=sid"},
		{core.Table("users"), usersARN, false, "dynamodb://Users?partition_key=id"},
	}
	for _, tt := range tests {
		if got := reference(tt.r, tt.arn, tt.named).url; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestResourceErrors(t *testing.T) {
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	tests := []struct {
		name    string
		declare func(*core.App) error
		want    string
	}{
		{"bucket name S3 refuses", func(a *core.App) error {
			return a.Event("a", nop, core.OnStorage("Reports_2026"), core.Uses(core.Bucket("Reports_2026")))
		}, "bucket Reports_2026: a storage trigger reads it, so it keeps its name, and S3 bucket names hold"},
		{"declared queue named like a dead-letter queue", func(a *core.App) error {
			return errors.Join(a.Event("a", nop, core.OnQueue("orders")), a.Event("b", nop, core.OnQueue("x"), core.Uses(core.Queue("orders-dlq"))))
		}, `its dead-letter queue would be named "orders-dlq"`},
		{"an ARN that is not one", func(a *core.App) error {
			return a.Event("a", nop, core.OnQueue("q"), core.Uses(core.Table("t").With("aws", aws.SettingARN, "Users")))
		}, `table t: aws/arn "Users" is not an ARN`},
		{"two ARNs for one queue", func(a *core.App) error {
			return a.Event("a", nop, core.OnQueue("q").With("aws", aws.SettingARN, "arn:aws:sqs:eu-west-1:1:q"),
				core.Uses(core.Queue("q").With("aws", aws.SettingARN, "arn:aws:sqs:eu-west-1:1:other")))
		}, "its aws/arn arn:aws:sqs:eu-west-1:1:other is not its trigger's"},
		{"a table and a setting with one logical id", func(a *core.App) error {
			return errors.Join(a.Setting("ORDERS_TABLE"), a.Event("a", nop, core.OnQueue("q"), core.Uses(core.Table("orders"))))
		}, `setting ORDERS_TABLE and table orders both map to the logical id "OrdersTable"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			if err := tt.declare(app); err != nil {
				t.Fatal(err)
			}
			if _, err := Template(app, Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
