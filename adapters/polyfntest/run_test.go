package polyfntest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TestRunOutcomes checks each record's outcome on every provider: a record
// fails alone with its own kind, and an ordered batch skips what the
// platform delivers again.
func TestRunOutcomes(t *testing.T) {
	mixed := []Record{
		Msg(`{"n":1}`),
		Msg(`{"fail":"permanent"}`),
		Msg(`{"fail":"retryable"}`),
		Msg(`{"fail":"panic"}`),
		Msg(`{"n":5}`),
	}
	keyed := []Record{
		Keyed("A", `{"n":1}`),
		Keyed("B", `{"fail":"retryable"}`),
		Keyed("B", `{"n":3}`),
		Keyed("A", `{"n":4}`),
	}
	all := []Outcome{OK, Permanent, Retryable, Panic, OK}
	tests := []struct {
		name  string
		build func(k *Kit) Delivery
		want  map[Provider][]Outcome
		// invocations is how many invocations each provider makes.
		invocations map[Provider]int
	}{
		{
			name:        "queue",
			build:       func(k *Kit) Delivery { return k.Queue("orders", mixed...) },
			want:        map[Provider][]Outcome{Local: all, AWS: all, Azure: all, GCP: all},
			invocations: map[Provider]int{Local: 1, AWS: 1, Azure: 5, GCP: 5},
		},
		{
			name:        "topic",
			build:       func(k *Kit) Delivery { return k.Topic("placed", mixed...) },
			want:        map[Provider][]Outcome{Local: all, AWS: all, Azure: all, GCP: all},
			invocations: map[Provider]int{Local: 5, AWS: 5, Azure: 5, GCP: 5},
		},
		{
			name:  "stream",
			build: func(k *Kit) Delivery { return k.Stream("stock", keyed...) },
			want: map[Provider][]Outcome{
				Local: {OK, Retryable, Skipped, OK},
				AWS:   {OK, Retryable, Skipped, Skipped},
				Azure: {OK, Retryable, Skipped, OK},
				GCP:   {OK, Retryable, OK, OK},
			},
			invocations: map[Provider]int{Local: 1, AWS: 1, Azure: 1, GCP: 4},
		},
		{
			name:        "schedule",
			build:       func(k *Kit) Delivery { return k.Schedule("nightly") },
			want:        map[Provider][]Outcome{Local: {OK}, AWS: {OK}, Azure: {OK}, GCP: {OK}},
			invocations: map[Provider]int{Local: 1, AWS: 1, Azure: 1, GCP: 1},
		},
		{
			name:  "storage",
			build: func(k *Kit) Delivery { return k.StorageObject("uploads", Msg(`{"fail":"permanent"}`)) },
			// Only a broker's CloudEvent carries the object; the clouds'
			// notifications describe it.
			want:        map[Provider][]Outcome{Local: {Permanent}, AWS: {OK}, Azure: {OK}, GCP: {OK}},
			invocations: map[Provider]int{Local: 1, AWS: 1, Azure: 1, GCP: 1},
		},
	}
	for _, tt := range tests {
		for _, p := range Providers {
			t.Run(tt.name+"/"+string(p), func(t *testing.T) {
				app, _ := recordingApp(t)
				k := New(t, app, p)
				d := tt.build(k)
				if got := d.Invocations(); got != tt.invocations[p] {
					t.Errorf("%d invocations, want %d", got, tt.invocations[p])
				}
				res := k.Run(d).Expect(tt.want[p]...)
				if len(res.Events) != len(d.Events()) || len(res.Invocations) != d.Invocations() {
					t.Errorf("ran %d events in %d invocations, delivered %d in %d", len(res.Events), len(res.Invocations), len(d.Events()), d.Invocations())
				}
				// Google delivers every message source through Pub/Sub.
				trigger := d.Trigger
				if p == GCP && (trigger == core.TriggerQueue || trigger == core.TriggerStream) {
					trigger = core.TriggerTopic
				}
				for i, inv := range res.Invocations {
					if inv.Provider != string(p) || inv.Function != d.Function || inv.Trigger != trigger || inv.ID == "" {
						t.Errorf("invocation %d: %+v; want provider %s, function %s, trigger %s and an id", i, inv, p, d.Function, trigger)
					}
					if inv.ColdStart != (i == 0) {
						t.Errorf("invocation %d: cold start %v", i, inv.ColdStart)
					}
				}
				for _, e := range d.Events() {
					if want := kindOf(trigger); core.EventKindOf(e) != want {
						t.Errorf("event %s: kind %q, want %q", e.ID(), core.EventKindOf(e), want)
					}
				}
			})
		}
	}
}

// kindOf returns the portable kind of the events a trigger delivers.
func kindOf(k core.TriggerKind) core.EventKind {
	return map[core.TriggerKind]core.EventKind{core.TriggerQueue: core.KindQueueMessage, core.TriggerTopic: core.KindTopicMessage,
		core.TriggerStream: core.KindStreamRecord, core.TriggerSchedule: core.KindScheduleFired, core.TriggerStorage: core.KindStorageObjectCreated}[k]
}

// fakeT records what the kit reports.
type fakeT struct {
	errors, fatals []string
	cleanups       []func()
}

func (f *fakeT) Helper()                   {}
func (f *fakeT) Logf(string, ...any)       {}
func (f *fakeT) Errorf(s string, a ...any) { f.errors = append(f.errors, fmt.Sprintf(s, a...)) }
func (f *fakeT) Fatalf(s string, a ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(s, a...))
	panic(f)
}
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// run calls fn, which stops at the first Fatalf.
func (f *fakeT) run(fn func()) {
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
	}()
	fn()
}

// TestReports checks what the kit reports when a test's expectation or
// request is wrong: each message names the problem.
func TestReports(t *testing.T) {
	app, _ := recordingApp(t)
	core.Must(app.Setting("KEY", core.Secret()))
	tests := []struct {
		name        string
		do          func(ft *fakeT)
		errs, fatal []string // what the reports contain
	}{
		{"outcome differs", func(ft *fakeT) {
			k := New(ft, app, AWS)
			k.Run(k.Queue("orders", Record{ID: "m-1", Data: []byte(`{}`)}, Record{ID: "m-2", Data: []byte(`{"fail":"retryable"}`)})).Expect(OK, Permanent)
		}, []string{"record 1 (event m-2): retryable, want permanent: record m-2: try again"}, nil},
		{"count differs", func(ft *fakeT) {
			k := New(ft, app, Local)
			k.Run(k.Queue("orders", Msg(`{}`))).Expect(OK, OK)
		}, []string{"1 records ran, 2 outcomes expected"}, nil},
		{"all ok", func(ft *fakeT) {
			k := New(ft, app, Azure)
			k.Run(k.Queue("orders", Msg(`{}`), Msg(`{}`))).ExpectAll(OK)
		}, nil, nil},
		{"unknown provider", func(ft *fakeT) { New(ft, app, "heroku") }, nil, []string{`unknown provider "heroku"`}},
		{"unknown function", func(ft *fakeT) { k := New(ft, app, AWS); k.Queue("nope") }, nil, []string{`no function "nope"`}},
		{"trigger the function lacks", func(ft *fakeT) { k := New(ft, app, AWS); k.Queue("nightly") }, nil, []string{"function nightly on aws"}},
		{"event function as HTTP", func(ft *fakeT) { k := New(ft, app, GCP); k.ServeHTTP("orders", nil) }, nil, []string{`"orders" is an event function`}},
		{"missing setting", func(ft *fakeT) { Start(ft, app, nil) }, nil, []string{"start:", "KEY"}},
		{"empty delivery", func(ft *fakeT) { New(ft, app, Local).Run(Delivery{Function: "orders"}) }, nil, []string{"an empty delivery"}},
		{"another provider's delivery", func(ft *fakeT) { New(ft, app, AWS).Run(New(ft, app, Azure).Queue("orders")) }, nil,
			[]string{"built by the azure kit cannot run on the aws kit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeT{}
			ft.run(func() { tt.do(ft) })
			check := func(what string, got, want []string) {
				joined := strings.Join(got, "\n")
				if len(want) == 0 && len(got) > 0 {
					t.Errorf("%s: %q, want none", what, got)
				}
				for _, w := range want {
					if !strings.Contains(joined, w) {
						t.Errorf("%s: %q, want it to contain %q", what, got, w)
					}
				}
			}
			check("errors", ft.errors, tt.errs)
			check("fatal", ft.fatals, tt.fatal)
		})
	}
}
