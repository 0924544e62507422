package invoke

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

const (
	tpPlatform = "00-11111111111111111111111111111111-1111111111111111-01"
	tpEvent    = "00-22222222222222222222222222222222-2222222222222222-01"
)

// fakeObserver records what the runtime tells it, and gives each watch a
// span id of its own in the parent's trace.
type fakeObserver struct {
	mu    sync.Mutex
	calls []string
}

func (o *fakeObserver) log(format string, args ...any) {
	o.mu.Lock()
	o.calls = append(o.calls, fmt.Sprintf(format, args...))
	o.mu.Unlock()
}

func child(parent, span string) string {
	if parent == "" {
		parent = "00-33333333333333333333333333333333-3333333333333333-01"
	}
	return parent[:36] + span + "-01"
}

func (o *fakeObserver) Invocation(ctx context.Context) (context.Context, string, func(error)) {
	inv := core.InvocationFrom(ctx)
	o.log("invocation %s parent=%s", inv.Function, inv.TraceParent)
	return ctx, child(inv.TraceParent, "aaaaaaaaaaaaaaaa"), func(err error) { o.log("invocation end err=%v", err) }
}

func (o *fakeObserver) Record(ctx context.Context, e event.EventContext, parent string, index, size int) (context.Context, string, func(error)) {
	o.log("record %s parent=%s %d/%d", e.GetID(), parent, index, size)
	if parent == "" {
		parent, _ = TraceParent(ctx)
	}
	return ctx, child(parent, "bbbbbbbbbbbbbbbb"), func(err error) { o.log("record %s end err=%v", e.GetID(), err) }
}

func TestObserver(t *testing.T) {
	o := &fakeObserver{}
	remove := AddObserver(o)
	defer remove()
	var seen []string // the trace context each run saw
	fn := newFunction(t, Config{Provider: "test"}, func(a *core.App) {
		core.Must(a.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
			tp, _ := TraceParent(ctx)
			seen = append(seen, tp)
			if e.ID() == "bad" {
				return nil, errors.New("boom")
			}
			r := core.NewEvent(e.ID()+".r", "/r", "t.r", "", nil)
			return &r, nil
		}))
	})
	withTrace := core.NewEvent("e-2", "/s", "t", "", nil)
	withTrace.SetExtension(ExtTraceParent, tpEvent)

	ctx, cancel := fn.Begin(context.Background(), Start{ID: "i-1", TraceParent: tpPlatform})
	res := fn.Event(ctx, core.NewEvent("e-1", "/s", "t", "", nil))
	cancel()
	if got, want := res.Reply.Extensions()[ExtTraceParent], child(tpPlatform, "bbbbbbbbbbbbbbbb"); got != want {
		t.Errorf("reply traceparent %v, want the record span's %s", got, want)
	}

	ctx, cancel = fn.Begin(context.Background(), Start{ID: "i-2", TraceParent: tpPlatform})
	fn.Batch(ctx, []core.Event{withTrace, core.NewEvent("bad", "/s", "t", "", nil)}, driver.BatchOptions{})
	cancel()

	want := []string{
		"invocation f parent=" + tpPlatform,
		"record e-1 parent= -1/1",
		"record e-1 end err=<nil>",
		"invocation end err=<nil>",
		"invocation f parent=" + tpPlatform,
		"record e-2 parent=" + tpEvent + " 0/2",
		"record e-2 end err=<nil>",
		"record bad parent= 1/2",
		"record bad end err=boom",
		"invocation end err=record 1: boom",
	}
	if strings.Join(o.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(o.calls, "\n"), strings.Join(want, "\n"))
	}
	wantSeen := []string{child(tpPlatform, "bbbbbbbbbbbbbbbb"), child(tpEvent, "bbbbbbbbbbbbbbbb"), child(child(tpPlatform, "aaaaaaaaaaaaaaaa"), "bbbbbbbbbbbbbbbb")}
	if strings.Join(seen, " ") != strings.Join(wantSeen, " ") {
		t.Errorf("functions saw %q, want %q", seen, wantSeen)
	}
}

// Without an observer, the trace context is the event's, else the
// invocation's, and replies carry it.
func TestTraceParentWithoutObserver(t *testing.T) {
	var seen []string
	fn := newFunction(t, Config{Provider: "test", RecordTrace: func(ec event.EventContext) string {
		if ec.GetID() == "native" {
			return tpEvent
		}
		return ""
	}}, func(a *core.App) {
		core.Must(a.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
			tp, _ := TraceParent(ctx)
			seen = append(seen, tp)
			return nil, nil
		}))
	})
	own := core.NewEvent("own", "/s", "t", "", nil)
	own.SetExtension(ExtTraceParent, tpEvent)
	own.SetExtension(ExtTraceState, "k=v")
	bad := core.NewEvent("bad-ext", "/s", "t", "", nil)
	bad.SetExtension(ExtTraceParent, "junk")
	ctx, cancel := fn.Begin(context.Background(), Start{TraceParent: tpPlatform})
	defer cancel()
	fn.Batch(ctx, []core.Event{own, core.NewEvent("native", "/s", "t", "", nil), core.NewEvent("plain", "/s", "t", "", nil), bad}, driver.BatchOptions{})
	want := []string{tpEvent, tpEvent, tpPlatform, tpPlatform}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("functions saw %q, want %q", seen, want)
	}
	f, ok := LogFields(fn.rt.withRecord(ctx, own, 0, 1))
	if !ok || f.TraceID != tpEvent[3:35] || f.SpanID != tpEvent[36:52] || !f.Sampled || f.EventID != "own" || f.Function != "f" {
		t.Errorf("LogFields = %+v, %v", f, ok)
	}
	if _, ok := LogFields(context.Background()); ok {
		t.Error("LogFields outside an invocation")
	}
}

// A reply the function gave a trace context of its own keeps it.
func TestReplyKeepsItsTrace(t *testing.T) {
	fn := newFunction(t, Config{Provider: "test"}, func(a *core.App) {
		core.Must(a.Event("f", func(ctx context.Context, e core.Event) (*core.Event, error) {
			r := core.NewEvent("r", "/r", "t.r", "", nil)
			r.SetExtension(ExtTraceParent, tpEvent)
			return &r, nil
		}))
	})
	ctx, cancel := fn.Begin(context.Background(), Start{TraceParent: tpPlatform})
	defer cancel()
	if got := fn.Event(ctx, core.NewEvent("e", "/s", "t", "", nil)).Reply.Extensions()[ExtTraceParent]; got != tpEvent {
		t.Errorf("reply traceparent %v, want its own %s", got, tpEvent)
	}
}

func TestLogEnv(t *testing.T) {
	tests := []struct {
		level, rate string
		want        slog.Leveler
		wantRate    float64
		err         string
	}{
		{"", "", nil, 0, ""},
		{"debug", "0.25", slog.LevelDebug, 0.25, ""},
		{"WARNING", "1", slog.LevelWarn, 1, ""},
		{"loud", "", nil, 0, "POLYFN_LOG_LEVEL"},
		{"", "1.5", nil, 0, `POLYFN_LOG_SAMPLE_RATE="1.5"`},
		{"", "some", nil, 0, `POLYFN_LOG_SAMPLE_RATE="some"`},
	}
	for _, tt := range tests {
		t.Setenv(EnvLogLevel, tt.level)
		t.Setenv(EnvLogSampleRate, tt.rate)
		e, err := FromEnv()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q %q: err %v, want one naming %s", tt.level, tt.rate, err, tt.err)
			}
			continue
		}
		if err != nil || e.LogLevel != tt.want || e.LogSampleRate != tt.wantRate {
			t.Errorf("%q %q: %v %v %v, want %v %v", tt.level, tt.rate, e.LogLevel, e.LogSampleRate, err, tt.want, tt.wantRate)
		}
	}
}
