package sam

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/providers/aws"
)

// samApp declares one function per trigger kind, as examples/shop does.
func samApp(t *testing.T) *core.App {
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	app := core.NewApp()
	for _, err := range []error{
		app.Setting("SHOP_API_KEY", core.Secret(), core.Describe("the key API callers send")),
		app.Setting("SHOP_LOG_LEVEL", core.Default("info"), core.Describe("log level")),
		app.Setting("SHOP_REGION"),
		app.Setting("SHOP_TAGS", core.Optional()),
		app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/", "GET", "POST"), core.WithMemory(256),
			core.WithInstances(0, 50), core.WithRollout(core.Canary(10, 5*time.Minute)), core.Public()),
		app.HTTP("item", http.NotFoundHandler(), core.OnHTTP("/items/{id}"), core.WithInstances(2, 20),
			core.WithRollout(core.Linear(25, 2*time.Minute)), core.WithArchitecture(core.ArchARM64)),
		app.Event("fulfil", nop, core.OnQueue("orders").WithBatchSize(10), core.WithTimeout(60*time.Second)),
		app.Event("fulfil-audit", nop, core.OnQueue("orders"), core.WithTimeout(2*time.Minute)),
		app.Event("ledger", nop, core.OnQueue("ledger.fifo")),
		app.Event("legacy-queue", nop, core.OnQueue("old").With("aws", aws.SettingARN, "arn:aws:sqs:eu-west-1:123456789012:old")),
		app.Event("nightly-report", nop, core.OnSchedule("0 2 * * 1-5", "Europe/Paris")),
		app.Event("inventory", nop, core.OnStream("inventory-changes")),
		app.Event("ddb", nop, core.OnStream("users").With("aws", aws.SettingARN, "arn:aws:dynamodb:eu-west-1:123456789012:table/Users/stream/2026-01-01T00:00:00.000")),
		app.Event("notify-customer", nop, core.OnTopic("order-placed")),
		app.Event("update-analytics", nop, core.OnTopic("order-placed")),
		app.Event("uploads", nop, core.OnStorage("polyfn-uploads", core.KindStorageObjectCreated)),
		app.Event("audit", nop, core.OnEvent("Object Created", "aws.s3")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func TestSAMTemplateGolden(t *testing.T) {
	got, err := Template(samApp(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/app.golden.yaml", got)

	// The template is YAML with the keys SAM requires.
	doc := parseTemplate(t, got)
	if doc.Format != "2010-09-09" || doc.Transform != "AWS::Serverless-2016-10-31" {
		t.Fatalf("header: %+v", doc)
	}
	if doc.Globals.Function["Runtime"] != "provided.al2023" || doc.Globals.Function["Handler"] != "bootstrap" {
		t.Fatalf("globals: %v", doc.Globals.Function)
	}
	functions := 0
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		functions++
		env := r.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		if env["POLYFN_FUNCTION"] == "" {
			t.Errorf("%s: no POLYFN_FUNCTION", id)
		}
		events, _ := r.Properties["Events"].(map[string]any)
		for name, ev := range events {
			ev := ev.(map[string]any)
			typ := ev["Type"].(string)
			props := ev["Properties"].(map[string]any)
			switch typ {
			case "SQS", "Kinesis", "DynamoDB":
				rt, _ := props["FunctionResponseTypes"].([]any)
				if len(rt) != 1 || rt[0] != "ReportBatchItemFailures" {
					t.Errorf("%s/%s: batch source without ReportBatchItemFailures", id, name)
				}
				if r.Properties["Policies"] == nil {
					t.Errorf("%s/%s: batch source without a policy", id, name)
				}
			}
		}
	}
	if functions != len(samApp(t).Functions()) {
		t.Fatalf("%d functions in the template, want %d", functions, len(samApp(t).Functions()))
	}
}

func TestCron(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "0 2 * * *", want: "cron(0 2 * * ? *)"},
		{in: "*/15 * * * *", want: "cron(*/15 * * * ? *)"},
		{in: "0 9 * * 1-5", want: "cron(0 9 ? * MON-FRI *)"},
		{in: "0 9 * * 0,6", want: "cron(0 9 ? * SUN,SAT *)"},
		{in: "0 9 * * 7", want: "cron(0 9 ? * SUN *)"},
		{in: "30 4 1 * *", want: "cron(30 4 1 * ? *)"},
		{in: "0 0 1 JAN ?", want: "cron(0 0 1 JAN ? *)"},
		{in: "@daily", want: "cron(0 0 * * ? *)"},
		{in: "0 0 1 * 1", err: "both the day of the month and the day of the week"},
		{in: "0 0 * * */2", err: "steps through weekdays"},
		{in: "bad", err: "want 5 fields"},
	}
	for _, tt := range tests {
		got, err := Cron(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Cron(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Cron(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSAMPath(t *testing.T) {
	for in, want := range map[string]string{"/": "/{proxy+}", "/api/": "/api/{proxy+}", "/items/{id}": "/items/{id}", "/files/{path...}": "/files/{path+}", "/exact/{$}": "/exact/", "/x": "/x"} {
		if got, err := samPath(in); err != nil || got != want {
			t.Errorf("samPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSAMErrors(t *testing.T) {
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	tests := []struct {
		name    string
		trigger core.Trigger
		want    string
	}{
		{"cron AWS cannot express", core.OnSchedule("0 0 1 * 1", ""), `function "bad": trigger schedule`},
		{"dynamodb stream without its ARN", core.OnStream("t").With("aws", aws.SettingSource, "dynamodb"), "needs its stream ARN"},
		{"unknown stream source", core.OnStream("t").With("aws", aws.SettingSource, "kafka"), `function "bad": trigger stream t: aws/source="kafka" is not kinesis or dynamodb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			core.Must(app.Event("bad", nop, tt.trigger))
			if _, err := Template(app, Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
	declared := []struct {
		name    string
		declare func(*core.App) error
		want    string
	}{
		{"memory over Lambda's", func(a *core.App) error { return a.Event("big", nop, core.OnQueue("q"), core.WithMemory(20480)) },
			`function "big": memory 20480 MB is over Lambda's 10240 MB`},
		{"architecture of another build", func(a *core.App) error {
			return a.Event("x86", nop, core.OnQueue("q"), core.WithArchitecture(core.ArchAMD64))
		}, "the template is for arm64 builds"},
		{"canary in seconds", func(a *core.App) error {
			return a.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/"), core.WithRollout(core.Canary(10, 90*time.Second)))
		}, "canary 10% for 1m30s: CodeDeploy shifts traffic in whole minutes"},
		{"two queues, one logical id", func(a *core.App) error {
			return errors.Join(a.Event("a", nop, core.OnQueue("a-b")), a.Event("b", nop, core.OnQueue("a_b")))
		}, `queue a-b and queue a_b both map to the logical id "ABQueue"`},
		{"a queue named like a dead-letter queue", func(a *core.App) error {
			return errors.Join(a.Event("a", nop, core.OnQueue("orders")), a.Event("b", nop, core.OnQueue("orders-dlq")))
		}, `queue "orders": its dead-letter queue would be named "orders-dlq"`},
		{"a setting named like a queue", func(a *core.App) error {
			return errors.Join(a.Setting("ORDERS_QUEUE"), a.Event("a", nop, core.OnQueue("orders")))
		}, `setting ORDERS_QUEUE and queue orders both map to the logical id "OrdersQueue"`},
	}
	for _, tt := range declared {
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
	app := core.NewApp()
	core.Must(app.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/").With("aws", aws.SettingIntegration, "grpc")))
	if _, err := Template(app, Options{}); err == nil || !strings.Contains(err.Error(), `aws/integration="grpc"`) {
		t.Fatalf("unknown integration: %v", err)
	}
}
