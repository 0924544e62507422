package local_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/localbus"
	"github.com/polyfn/polyfn/internal/syncbuf"
)

// seen records what functions received.
type seen struct {
	mu   sync.Mutex
	got  map[string][]core.Event
	invs map[string][]core.Invocation
}

func (s *seen) add(fn string, ctx context.Context, e core.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got[fn] = append(s.got[fn], e)
	s.invs[fn] = append(s.invs[fn], core.InvocationFrom(ctx))
}

func (s *seen) events(fn string) []core.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]core.Event(nil), s.got[fn]...)
}

// serveBus serves app on a free port until the test ends, and returns the
// logs and the function that stops it and waits for Serve to return.
func serveBus(t *testing.T, app *core.App) (*syncbuf.Buffer, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- local.Serve(ctx, ln, app, local.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	}()
	var once sync.Once
	var serr error
	stop := func() error {
		once.Do(func() { cancel(); serr = <-done })
		return serr
	}
	t.Cleanup(func() { _ = stop() })
	// Serve attaches the bus before it serves: wait until a publish is
	// taken rather than kept.
	for deadline := time.Now().Add(5 * time.Second); localbus.Pending(app) > 0 || !attached(app); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the local bus did not attach")
		}
	}
	return logs, stop
}

// attached reports whether the adapter took over app's bus: a second
// deliverer is refused then.
func attached(app *core.App) bool {
	detach, err := localbus.Attach(app, func(context.Context, core.Resource, core.Event) error { return nil })
	if err == nil {
		detach()
		return false
	}
	return true
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}

// TestBusFanOut: what is published to a topic reaches every OnTopic
// function of the App, and what is sent to a queue its OnQueue function,
// through the App's middleware, each with the published event's every
// attribute and extension, plus the trigger's polyfnkind, as a platform
// delivery.
func TestBusFanOut(t *testing.T) {
	s := &seen{got: map[string][]core.Event{}, invs: map[string][]core.Invocation{}}
	app := core.NewApp()
	var mw atomic.Int32
	app.Use(func(next core.EventFunc) core.EventFunc {
		return func(ctx context.Context, e core.Event) (*core.Event, error) { mw.Add(1); return next(ctx, e) }
	})
	for _, f := range []struct {
		name string
		t    core.Trigger
	}{{"a", core.OnTopic("placed", "a")}, {"b", core.OnTopic("placed", "b")}, {"w", core.OnQueue("work")}, {"other", core.OnTopic("else")}} {
		name := f.name
		if err := app.Event(name, func(ctx context.Context, e core.Event) (*core.Event, error) { s.add(name, ctx, e); return nil, nil }, f.t); err != nil {
			t.Fatal(err)
		}
	}
	serveBus(t, app)
	e := core.NewEvent("ev-1", "https://shop.example/x", "com.example.placed", "application/json", []byte(`{"id":"o1"}`))
	e.SetSubject("orders/o1")
	e.SetTime(time.Date(2026, 11, 28, 1, 2, 3, 4000, time.UTC))
	e.SetDataSchema("https://schema.example/o.json")
	e.SetExtension("tenant", "acme")
	e.SetExtension("priority", int32(3))
	ctx := context.Background()
	if err := localbus.Publish(ctx, app, core.Topic("placed"), e); err != nil {
		t.Fatal(err)
	}
	if err := localbus.Publish(ctx, app, core.Queue("work"), e); err != nil {
		t.Fatal(err)
	}
	if err := localbus.Publish(ctx, app, core.Topic("nobody"), e); err != nil {
		t.Errorf("a topic without subscribers: %v, want the event dropped", err)
	}
	if err := localbus.Publish(ctx, app, core.Queue("nobody"), e); err == nil || !strings.Contains(err.Error(), "POLYFN_QUEUE_NOBODY_URL") {
		t.Errorf("a queue without a consumer: %v, want an error naming its variable", err)
	}
	waitFor(t, "three deliveries", func() bool { return len(s.events("a"))+len(s.events("b"))+len(s.events("w")) == 3 })
	want, _ := cehttp.Attributes(&e)
	for fn, trigger := range map[string]string{"a": "topic", "b": "topic", "w": "queue"} { // the published event, unchanged, as on every cloud
		got := s.events(fn)[0]
		ga, _ := cehttp.Attributes(&got)
		if !slicesEqual(ga, want) || !bytes.Equal(got.Data(), e.Data()) {
			t.Errorf("%s: got %q %s, want %q %s", fn, ga, got.Data(), want, e.Data())
		}
		inv := s.invs[fn][0]
		if inv.Provider != "local" || inv.Function != fn || inv.ID == "" || string(inv.Trigger) != trigger {
			t.Errorf("%s: invocation %+v", fn, inv)
		}
	}
	if len(s.events("other")) != 0 || mw.Load() != 3 {
		t.Errorf("other got %d, middleware ran %d times; want 0 and 3", len(s.events("other")), mw.Load())
	}
}

func slicesEqual(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBusRetries: a retryable failure is delivered again, at most three
// times in all; a permanent failure once; each failure is logged, and an
// event that will not be delivered again gets an "event dropped" line.
func TestBusRetries(t *testing.T) {
	var flaky, broken, always atomic.Int32
	app := core.NewApp()
	for name, fn := range map[string]core.EventFunc{
		"flaky": func(context.Context, core.Event) (*core.Event, error) {
			if flaky.Add(1) < 3 {
				return nil, errors.New("try again")
			}
			return nil, nil
		},
		"broken": func(context.Context, core.Event) (*core.Event, error) {
			broken.Add(1)
			return nil, core.Permanentf("bad order")
		},
		"always": func(context.Context, core.Event) (*core.Event, error) {
			always.Add(1)
			return nil, errors.New("down")
		},
	} {
		if err := app.Event(name, fn, core.OnQueue(name)); err != nil {
			t.Fatal(err)
		}
	}
	logs, stop := serveBus(t, app)
	for _, q := range []string{"flaky", "broken", "always"} {
		if err := localbus.Publish(context.Background(), app, core.Queue(q), core.NewEvent("m-"+q, "/t", "t.v1", "", nil)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the attempts", func() bool { return flaky.Load() == 3 && always.Load() == 3 && broken.Load() == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"event dropped","function":"broken","event_id":"m-broken"`, `"attempts":1,"outcome":"permanent"`,
		`"msg":"event dropped","function":"always","event_id":"m-always"`, `"attempts":3,"outcome":"retryable"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"function":"flaky","event_id":"m-flaky","event_type":"t.v1","event_source":"/t","attempts"`) {
		t.Errorf("flaky succeeded on its third attempt, yet was dropped:\n%s", out)
	}
	if n := strings.Count(out, `"msg":"function failed","function":"flaky"`); n != 2 {
		t.Errorf("%d failure lines for flaky, want 2:\n%s", n, out)
	}
}

// TestBusDrains: stopping the adapter waits for the deliveries under way
// and refuses new ones.
func TestBusDrains(t *testing.T) {
	release := make(chan struct{})
	var done atomic.Bool
	app := core.NewApp()
	if err := app.Event("slow", func(context.Context, core.Event) (*core.Event, error) {
		<-release
		time.Sleep(50 * time.Millisecond)
		done.Store(true)
		return nil, nil
	}, core.OnQueue("slow")); err != nil {
		t.Fatal(err)
	}
	_, stop := serveBus(t, app)
	if err := localbus.Publish(context.Background(), app, core.Queue("slow"), core.NewEvent("s1", "/t", "t.v1", "", nil)); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !done.Load() {
		t.Error("Serve returned before the delivery under way ended")
	}
}
