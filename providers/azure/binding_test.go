package azure

import (
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

func TestTriggerBindingErrors(t *testing.T) {
	tests := []struct {
		name string
		trig []core.Trigger
		want string
	}{
		{"two triggers", []core.Trigger{core.OnQueue("a"), core.OnQueue("b")}, "exactly one"},
		{"topic without subscription", []core.Trigger{core.OnTopic("t")}, "needs a subscription"},
		{"cosmos without database", []core.Trigger{core.OnStream("c").With("azure", "service", "cosmosdb")}, "databaseName"},
		{"blob deletions", []core.Trigger{core.OnStorage("b", core.KindStorageObjectDeleted)}, "BlobDeleted"},
		{"bad service", []core.Trigger{core.OnQueue("q").With("azure", "service", "kafka")}, "not storage or servicebus"},
		{"bad topic service", []core.Trigger{core.OnTopic("t", "s").With("azure", "service", "sqs")}, "not servicebus or eventgrid"},
		{"bad stream service", []core.Trigger{core.OnStream("s").With("azure", "service", "kinesis")}, "not eventhubs, kafka or cosmosdb"},
		{"bad cron", []core.Trigger{core.OnSchedule("* * *", "")}, "cron"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &core.Function{Name: "fn", Kind: core.EventFunction, Triggers: tt.trig}
			_, err := TriggerBinding(f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("TriggerBinding: error %v, want one containing %q", err, tt.want)
			}
			if _, err2 := SourceOf(f); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("SourceOf: error %v, want %v", err2, err)
			}
		})
	}
}

func TestTriggerBindingDefaults(t *testing.T) {
	tests := []struct {
		name string
		kind core.FunctionKind
		want string // type, name and route
	}{
		{"event", core.EventFunction, "httpTrigger req echo [post]"},
		{"http", core.HTTPFunction, "httpTrigger req echo []"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := TriggerBinding(&core.Function{Name: "echo", Kind: tt.kind})
			if err != nil {
				t.Fatal(err)
			}
			methods, _ := b.Props["methods"].([]string)
			if got := b.Type + " " + b.Name + " " + b.Prop("route") + " [" + strings.Join(methods, ",") + "]"; got != tt.want {
				t.Errorf("binding %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAzureRoute(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/orders/{id}", "orders/{id}"},
		{"/files/{path...}", "files/{*path}"},
		{"/api/", "api/{*polyfnpath}"},
		{"/", "{*polyfnpath}"},
		{"/exact/{$}", "exact"},
		{"/http-echo", "http-echo"},
	}
	for _, tt := range tests {
		got, err := azureRoute(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("azureRoute(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := azureRoute("/{$}"); err == nil {
		t.Error("azureRoute(/{$}): no error")
	}
}

func TestNCronTab(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*/5 * * * *", "0 */5 * * * *"},
		{"@daily", "0 0 0 * * *"},
		{"@hourly", "0 0 * * * *"},
		{"30 6 ? * 7", "0 30 6 * * 0"},
		{"0 9 * * MON-FRI", "0 0 9 * * MON-FRI"},
	}
	for _, tt := range tests {
		got, err := NCronTab(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NCronTab(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := NCronTab("* * *"); err == nil {
		t.Error("NCronTab of three fields: no error")
	}
}

func TestParseTimeSpan(t *testing.T) {
	for _, tt := range []struct {
		text string
		d    time.Duration
	}{{"00:05:00", 5 * time.Minute}, {"1.02:00:00", 26 * time.Hour}, {"-1", 0}, {"", 0}, {"00:00:01.5", 1500 * time.Millisecond}} {
		got, err := ParseTimeSpan(tt.text)
		if err != nil || got != tt.d {
			t.Errorf("ParseTimeSpan(%q) = %v, %v; want %v", tt.text, got, err, tt.d)
		}
	}
	for _, bad := range []string{"five minutes", "-01:00:00"} {
		if _, err := ParseTimeSpan(bad); err == nil {
			t.Errorf("ParseTimeSpan(%q): no error", bad)
		}
	}
}
