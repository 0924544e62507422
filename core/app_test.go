package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func nopEvent(context.Context, Event) (*Event, error) { return nil, nil }

var nopHTTP = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func TestAppRegistrationErrors(t *testing.T) {
	tests := []struct {
		name     string
		register func(a *App) error
		want     string // substring of the error; "" means success
	}{
		{"event ok", func(a *App) error { return a.Event("orders", nopEvent, OnQueue("orders")) }, ""},
		{"http ok", func(a *App) error { return a.HTTP("api", nopHTTP, OnHTTP("/api/", "GET", "POST")) }, ""},
		{"empty name", func(a *App) error { return a.Event("", nopEvent) }, "empty name"},
		{"bad name", func(a *App) error { return a.Event("9lives", nopEvent) }, "must start with a letter"},
		{"name with space", func(a *App) error { return a.Event("a b", nopEvent) }, "must start with a letter"},
		{"duplicate", func(a *App) error { return a.Event("taken", nopEvent) }, "already registered"},
		{"nil event func", func(a *App) error { return a.Event("x", nil) }, "nil EventFunc"},
		{"nil handler", func(a *App) error { return a.HTTP("x", nil) }, "nil http.Handler"},
		{"http trigger on event function", func(a *App) error { return a.Event("x", nopEvent, OnHTTP("/x")) }, "does not fit an event function"},
		{"queue trigger on http function", func(a *App) error { return a.HTTP("x", nopHTTP, OnQueue("q")) }, "does not fit an http function"},
		{"bad cron", func(a *App) error { return a.Event("x", nopEvent, OnSchedule("61 * * * *", "")) }, `minute field "61": value 61 out of range 0-59`},
		{"cron field count", func(a *App) error { return a.Event("x", nopEvent, OnSchedule("* * * *", "")) }, "want 5 fields"},
		{"bad time zone", func(a *App) error { return a.Event("x", nopEvent, OnSchedule("@daily", "Not A Zone")) }, "not an IANA name"},
		{"queue without name", func(a *App) error { return a.Event("x", nopEvent, OnQueue("")) }, "queue trigger needs a name"},
		{"storage event kind", func(a *App) error { return a.Event("x", nopEvent, OnStorage("b", KindQueueMessage)) }, `storage event "queue.message"`},
		{"event without type", func(a *App) error { return a.Event("x", nopEvent, OnEvent("")) }, "needs a CloudEvents type"},
		{"route without slash", func(a *App) error { return a.HTTP("x", nopHTTP, OnHTTP("x")) }, "must start with /"},
		{"route with method", func(a *App) error { return a.HTTP("x", nopHTTP, OnHTTP("GET /x")) }, "must not hold spaces"},
		{"lower-case method", func(a *App) error { return a.HTTP("x", nopHTTP, OnHTTP("/x", "get")) }, "not an upper-case token"},
		{"route taken", func(a *App) error { return a.HTTP("x", nopHTTP, OnHTTP("/taken")) }, `already served by function "taken-route"`},
		{"route taken for one method", func(a *App) error { return a.HTTP("x", nopHTTP, OnHTTP("/get-only", "GET", "PUT")) }, "already served"},
		{"same route other method", func(a *App) error { return a.HTTP("x", nopHTTP, OnHTTP("/get-only", "POST")) }, ""},
		{"negative batch size", func(a *App) error { return a.Event("x", nopEvent, OnQueue("q").WithBatchSize(-1)) }, "negative"},
		{"negative timeout", func(a *App) error { return a.Event("x", nopEvent, WithTimeout(-1)) }, "negative timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApp()
			Must(a.Event("taken", nopEvent))
			Must(a.HTTP("taken-route", nopHTTP, OnHTTP("/taken")))
			Must(a.HTTP("get-only", nopHTTP, OnHTTP("/get-only", "GET")))
			err := tt.register(a)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidFunction) {
				t.Fatalf("error %q does not wrap ErrInvalidFunction", err)
			}
			if _, ok := a.Function("x"); ok {
				t.Fatal("a rejected function was registered")
			}
		})
	}
}

func TestAppFunctions(t *testing.T) {
	a := NewApp()
	Must(a.HTTP("web", nopHTTP))
	Must(a.Event("orders", nopEvent, OnQueue("orders").With("aws", "arn", "arn:aws:sqs:eu-west-1:1:orders"), WithTimeout(30e9), WithBatchConcurrency(4)))

	if got := a.Names(); strings.Join(got, ",") != "orders,web" {
		t.Fatalf("Names() = %v", got)
	}
	web, _ := a.Function("web")
	if len(web.Triggers) != 1 || web.Triggers[0].Route != "/web" {
		t.Fatalf("default route: got %+v, want /web", web.Triggers)
	}
	if web.EventFunc() != nil || web.HTTPHandler() == nil {
		t.Fatal("an HTTP function must have a handler and no EventFunc")
	}
	orders, _ := a.Function("orders")
	tr, ok := orders.Trigger(TriggerQueue)
	if !ok || tr.Name != "orders" || tr.Setting("aws", "arn") != "arn:aws:sqs:eu-west-1:1:orders" {
		t.Fatalf("queue trigger = %+v", tr)
	}
	if tr.Setting("azure", "connection") != "" {
		t.Fatal("unset setting must be empty")
	}
	if orders.Timeout != 30e9 || orders.BatchConcurrency != 4 {
		t.Fatalf("options not applied: %+v", orders)
	}
	if orders.Kind.String() != "event" || web.Kind.String() != "http" {
		t.Fatal("FunctionKind.String")
	}
}

func TestTriggerWithDoesNotAlias(t *testing.T) {
	base := OnQueue("q").With("aws", "arn", "a")
	other := base.With("aws", "arn", "b")
	if base.Setting("aws", "arn") != "a" || other.Setting("aws", "arn") != "b" {
		t.Fatalf("With changed its receiver: %q %q", base.Setting("aws", "arn"), other.Setting("aws", "arn"))
	}
	s := other.Settings("aws")
	s["arn"] = "mutated"
	if other.Setting("aws", "arn") != "b" {
		t.Fatal("Settings returned the internal map")
	}
}

func TestTriggerString(t *testing.T) {
	tests := []struct {
		t    Trigger
		want string
	}{
		{OnHTTP("/a", "GET", "POST"), "http GET,POST /a"},
		{OnHTTP("/a"), "http /a"},
		{OnQueue("q"), "queue q"},
		{OnTopic("t", "s"), "topic t"},
		{OnSchedule("@daily", "Europe/Paris"), `schedule "@daily" in Europe/Paris`},
		{OnSchedule("0 1 * * *", ""), `schedule "0 1 * * *"`},
		{OnEvent("com.example.x", "src"), "event com.example.x"},
		{OnStorage("b"), "storage b"},
		{OnStream("s"), "stream s"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	if tr := OnTopic("t", "s"); tr.Subscription != "s" {
		t.Errorf("subscription = %q", tr.Subscription)
	}
	if tr := OnEvent("x", "src"); tr.Source != "src" {
		t.Errorf("source = %q", tr.Source)
	}
}

func TestNewEvent(t *testing.T) {
	e := NewEvent("id-1", "https://example.com/src", "com.example.t", "application/json", []byte(`{"a":1}`))
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if e.ID() != "id-1" || e.Source() != "https://example.com/src" || e.Type() != "com.example.t" || e.DataContentType() != "application/json" || string(e.Data()) != `{"a":1}` || e.SpecVersion() != "1.0" {
		t.Fatalf("got %v", e)
	}
	again := NewEvent("id-2", "https://example.com/src", "t", "", nil)
	if again.Source() != "https://example.com/src" || again.DataContentType() != "" || again.Data() != nil {
		t.Fatalf("got %v", again)
	}
	bad := NewEvent("id", "http://[::1", "t", "", nil)
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "source") {
		t.Fatalf("an invalid source must fail validation, got %v", err)
	}
}
