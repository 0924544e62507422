package azure

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

// TestKafkaRecordInContext: each record of a Kafka batch runs with its
// own KafkaRecord, headers decoded from base64.
func TestKafkaRecordInContext(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "requests", "kafka-many.json"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Decode(req, declare(t, core.OnStream("kafkaeventhubtest1").With("azure", "service", "kafka")))
	if err != nil {
		t.Fatal(err)
	}
	var got []KafkaRecord
	res := driver.RunBatch(context.Background(), func(ctx context.Context, e core.Event) (*core.Event, error) {
		r, ok := KafkaRecordFromContext(ctx)
		if !ok {
			t.Errorf("record %s: no KafkaRecord in its context", e.ID())
			return nil, nil
		}
		got = append(got, *r)
		return nil, nil
	}, inv.Events, inv.Options())
	if len(res.Failed()) != 0 || len(got) != 2 {
		t.Fatalf("failed %v, records %d", res.Failed(), len(got))
	}
	first := got[0]
	if first.Topic != "kafkaeventhubtest1" || first.Partition != 0 || first.Offset != 364 || first.Key != "User_1" || !first.HasKey ||
		!first.Timestamp.Equal(time.Date(2022, 4, 9, 3, 20, 6, 591e6, time.UTC)) {
		t.Errorf("record 0 = %+v", first)
	}
	if v, ok := first.Header("test"); !ok || string(v) != "python" {
		t.Errorf("header test = %q, %v", v, ok)
	}
	if _, ok := first.Header("Test"); ok {
		t.Error("header names are case-sensitive")
	}
	if got[1].HasKey || got[1].Offset != 365 || string(got[1].Value) != "one" {
		t.Errorf("record 1 = %+v", got[1])
	}
	if _, ok := KafkaRecordFromContext(context.Background()); ok {
		t.Error("KafkaRecordFromContext of a bare context")
	}
}

func TestKafkaDecodeErrors(t *testing.T) {
	kafka := func(props map[string]any) Source {
		p := map[string]any{"cardinality": "many"}
		for k, v := range props {
			p[k] = v
		}
		return Source{Trigger: Binding{Type: TypeKafka, Name: "events", Props: p}}
	}
	tests := []struct {
		name, body string
		src        Source
		want       string
	}{
		{"not an array", `{"Data":{"events":"\"{}\""}}`, kafka(nil), "not a JSON array"},
		{"bad base64", `{"Data":{"events":"[\"!!\"]"}}`, kafka(map[string]any{"dataType": "binary"}), "record 0"},
		{"bad timestamp", `{"Data":{"events":"[\"{\\\"Offset\\\":1,\\\"Partition\\\":0,\\\"Topic\\\":\\\"t\\\",\\\"Timestamp\\\":\\\"yesterday\\\"}\"]"}}`, kafka(nil), "Timestamp"},
		{"bad ce header", `{"Data":{"events":"[\"{\\\"Offset\\\":1,\\\"Partition\\\":0,\\\"Topic\\\":\\\"t\\\",\\\"Headers\\\":[{\\\"Key\\\":\\\"ce_specversion\\\",\\\"Value\\\":\\\"MS4w\\\"},{\\\"Key\\\":\\\"ce_time\\\",\\\"Value\\\":\\\"bm93\\\"}]}\"]"}}`, kafka(nil), "attribute time"},
		{"bad structured", `{"Data":{"events":"[\"{\\\"Offset\\\":1,\\\"Partition\\\":0,\\\"Topic\\\":\\\"t\\\",\\\"Value\\\":\\\"{}\\\",\\\"Headers\\\":[{\\\"Key\\\":\\\"content-type\\\",\\\"Value\\\":\\\"YXBwbGljYXRpb24vY2xvdWRldmVudHMranNvbg==\\\"}]}\"]"}}`, kafka(nil), "application/cloudevents+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(tt.body))
			if err == nil {
				_, err = Decode(req, tt.src)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	fn := func(trig core.Trigger) *core.Function {
		return &core.Function{Name: "fn", Kind: core.EventFunction, Triggers: []core.Trigger{trig}}
	}
	hubs := core.OnStream("telemetry")
	tests := []struct {
		name string
		trig core.Trigger
		want *RetryPolicy
		err  string
	}{
		{name: "event hubs default", trig: hubs, want: &RetryPolicy{Strategy: RetryExponentialBackoff, MaxRetryCount: -1, MinimumInterval: "00:00:05", MaximumInterval: "00:15:00"}},
		{name: "kafka default", trig: hubs.With("azure", "service", "kafka"), want: &RetryPolicy{Strategy: RetryExponentialBackoff, MaxRetryCount: -1, MinimumInterval: "00:00:05", MaximumInterval: "00:15:00"}},
		{name: "cosmos default", trig: hubs.With("azure", "service", "cosmosdb").With("azure", "databaseName", "db"), want: &RetryPolicy{Strategy: RetryExponentialBackoff, MaxRetryCount: -1, MinimumInterval: "00:00:05", MaximumInterval: "00:15:00"}},
		{name: "fixed delay", trig: hubs.With("azure", "retry", "fixedDelay").With("azure", "maxRetryCount", "5"), want: &RetryPolicy{Strategy: RetryFixedDelay, MaxRetryCount: 5, DelayInterval: "00:00:10"}},
		{name: "backoff bounds", trig: hubs.With("azure", "minimumInterval", "00:00:01").With("azure", "maximumInterval", "00:01:00").With("azure", "maxRetryCount", "10"),
			want: &RetryPolicy{Strategy: RetryExponentialBackoff, MaxRetryCount: 10, MinimumInterval: "00:00:01", MaximumInterval: "00:01:00"}},
		{name: "none", trig: hubs.With("azure", "retry", "none")},
		{name: "timer only when asked", trig: core.OnSchedule("@daily", "")},
		{name: "timer asked", trig: core.OnSchedule("@daily", "").With("azure", "retry", "fixedDelay").With("azure", "delayInterval", "00:01:00"),
			want: &RetryPolicy{Strategy: RetryFixedDelay, MaxRetryCount: -1, DelayInterval: "00:01:00"}},
		{name: "queue", trig: core.OnQueue("q")},
		{name: "queue asked", trig: core.OnQueue("q").With("azure", "retry", "fixedDelay"), err: "queueTrigger"},
		{name: "bad strategy", trig: hubs.With("azure", "retry", "linear"), err: `retry="linear"`},
		{name: "bad count", trig: hubs.With("azure", "maxRetryCount", "-2"), err: "maxRetryCount"},
		{name: "bad span", trig: hubs.With("azure", "retry", "fixedDelay").With("azure", "delayInterval", "10s"), err: "delayInterval"},
		{name: "min above max", trig: hubs.With("azure", "minimumInterval", "00:20:00"), err: "minimumInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RetryOf(fn(tt.trig))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), `"fn"`) {
					t.Errorf("error %v, want one naming the function and containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Errorf("RetryOf = %+v, want %+v", got, tt.want)
			}
			b, err := TriggerBinding(fn(tt.trig))
			if err != nil {
				t.Fatal(err)
			}
			for k := range retrySettings {
				if _, ok := b.Props[k]; ok {
					t.Errorf("trigger binding carries the retry setting %q", k)
				}
			}
		})
	}
}
