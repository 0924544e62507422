package core

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSpecRoundTrip(t *testing.T) {
	a := NewApp()
	Must(a.HTTP("api", nopHTTP, OnHTTP("/api/", "GET", "POST")))
	Must(a.Event("orders", nopEvent, OnQueue("orders").WithBatchSize(10).With("aws", "arn", "arn:aws:sqs:eu-west-1:1:orders"), WithTimeout(30*time.Second)))
	Must(a.Event("nightly", nopEvent, OnSchedule("0 2 * * *", "Europe/Paris")))
	Must(a.Event("stock", nopEvent, OnStream("inventory"), WithBatchConcurrency(4)))
	Must(a.Event("files", nopEvent, OnStorage("uploads", KindStorageObjectCreated)))
	Must(a.Event("fan", nopEvent, OnTopic("placed", "sub-1"), OnEvent("com.example.x", "/src")))

	spec, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSpec(spec)
	if err != nil {
		t.Fatalf("%v\n%s", err, spec)
	}
	again, _ := json.Marshal(back)
	if string(again) != string(spec) {
		t.Fatalf("round trip changed the spec:\n%s\n%s", spec, again)
	}
	for _, f := range a.Functions() {
		g, ok := back.Function(f.Name)
		if !ok || g.Kind != f.Kind || g.Timeout != f.Timeout || g.BatchConcurrency != f.BatchConcurrency || !reflect.DeepEqual(g.Triggers, f.Triggers) {
			t.Errorf("function %s: got %+v, want %+v", f.Name, g, f)
		}
	}
	o, _ := back.Function("orders")
	if _, err := o.EventFunc()(context.Background(), NewEventForTest()); !errors.Is(err, ErrDeclarationOnly) {
		t.Fatalf("a parsed function must not pretend to run: %v", err)
	}
	if !strings.Contains(string(spec), `"settings":{"aws":{"arn":"arn:aws:sqs:eu-west-1:1:orders"}}`) {
		t.Fatalf("settings missing: %s", spec)
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{`{`, "app spec"},
		{`{"functions":[{"name":"x"}]}`, "has no kind"},
		{`{"functions":[{"name":"x","kind":"lambda"}]}`, `unknown function kind "lambda"`},
		{`{"functions":[{"name":"x","kind":"event","triggers":[{"kind":"schedule","cron":"bad"}]}]}`, "want 5 fields"},
		{`{"functions":[{"name":"x","kind":"event","timeout":"soon"}]}`, "timeout"},
	}
	for _, tt := range tests {
		if _, err := ParseSpec([]byte(tt.spec)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSpec(%s) = %v, want an error containing %q", tt.spec, err, tt.want)
		}
	}
}
