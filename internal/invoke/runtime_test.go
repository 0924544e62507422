package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/golden"
)

// newFunction binds one function of a fresh App to a fresh Runtime.
func newFunction(t testing.TB, c Config, register func(*core.App)) *Function {
	t.Helper()
	app := core.NewApp()
	register(app)
	f := app.Functions()[0]
	return New(c).Function(f)
}

func nop(context.Context, core.Event) (*core.Event, error) { return nil, nil }

func TestBegin(t *testing.T) {
	fn := newFunction(t, Config{Provider: "test"}, func(a *core.App) { core.Must(a.Event("f", nop)) })
	ctx, cancel := fn.Begin(context.Background(), Start{ID: "req-1", Trigger: core.TriggerQueue, TraceParent: "00-tp", TraceState: "k=v"})
	defer cancel()
	inv := core.InvocationFrom(ctx)
	if inv.Function != "f" || inv.ID != "req-1" || inv.Provider != "test" || inv.Trigger != core.TriggerQueue ||
		!inv.ColdStart || inv.TraceParent != "00-tp" || inv.TraceState != "k=v" || inv.Logger == nil || !inv.Deadline.IsZero() {
		t.Fatalf("first invocation %+v", inv)
	}
	if _, ok := ctx.Deadline(); ok {
		t.Fatal("no timeout anywhere, yet the context has a deadline")
	}
	ctx2, cancel2 := fn.Begin(context.Background(), Start{})
	defer cancel2()
	if inv2 := core.InvocationFrom(ctx2); inv2.ColdStart || len(inv2.ID) != 36 {
		t.Fatalf("second invocation %+v: want warm, with a generated id", inv2)
	}
}

func TestBeginDeadlines(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		cfg        Config
		timeout    time.Duration // the function's
		parent     time.Duration // the platform's deadline, from now; 0 for none
		wantInv    time.Duration // Invocation.Deadline, from now; 0 for none
		wantCtx    time.Duration // the context's deadline, from now; 0 for none
		toleranceS float64
	}{
		{name: "none"},
		{name: "function timeout", timeout: 2 * time.Second, wantInv: 2 * time.Second, wantCtx: 2 * time.Second},
		{name: "runtime timeout", cfg: Config{Timeout: 3 * time.Second}, wantInv: 3 * time.Second, wantCtx: 3 * time.Second},
		{name: "shorter of the two", cfg: Config{Timeout: 3 * time.Second}, timeout: time.Second, wantInv: time.Second, wantCtx: time.Second},
		{name: "platform deadline", parent: 5 * time.Second, wantInv: 5 * time.Second, wantCtx: 5 * time.Second},
		{name: "platform deadline less the reserve", cfg: Config{Reserve: time.Second}, parent: 5 * time.Second, wantInv: 5 * time.Second, wantCtx: 4 * time.Second},
		{name: "function timeout inside the platform's", cfg: Config{Reserve: time.Second}, timeout: 2 * time.Second, parent: 5 * time.Second, wantInv: 2 * time.Second, wantCtx: 2 * time.Second},
		{name: "platform deadline inside the function's timeout", timeout: 9 * time.Second, parent: 5 * time.Second, wantInv: 5 * time.Second, wantCtx: 5 * time.Second},
	}
	near := func(got time.Time, want time.Duration) bool {
		if want == 0 {
			return got.IsZero()
		}
		d := got.Sub(now) - want
		return d > -time.Second/2 && d < time.Second/2
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := newFunction(t, tt.cfg, func(a *core.App) { core.Must(a.Event("f", nop, core.WithTimeout(tt.timeout))) })
			parent := context.Background()
			if tt.parent > 0 {
				var cancel context.CancelFunc
				parent, cancel = context.WithDeadline(parent, now.Add(tt.parent))
				defer cancel()
			}
			ctx, cancel := fn.Begin(parent, Start{})
			defer cancel()
			ctxDL, _ := ctx.Deadline()
			if inv := core.InvocationFrom(ctx); !near(inv.Deadline, tt.wantInv) || !near(ctxDL, tt.wantCtx) {
				t.Fatalf("invocation deadline in %s, context deadline in %s; want %s and %s",
					inv.Deadline.Sub(now).Round(time.Millisecond), ctxDL.Sub(now).Round(time.Millisecond), tt.wantInv, tt.wantCtx)
			}
		})
	}
}

func TestTriggerOf(t *testing.T) {
	for k, want := range map[core.EventKind]core.TriggerKind{
		"":                            core.TriggerDirect,
		core.KindQueueMessage:         core.TriggerQueue,
		core.KindTopicMessage:         core.TriggerTopic,
		core.KindScheduleFired:        core.TriggerSchedule,
		core.KindStreamRecord:         core.TriggerStream,
		core.KindStorageObjectDeleted: core.TriggerStorage,
		core.KindHTTPRequest:          core.TriggerHTTP,
		core.KindDBDocumentWritten:    core.TriggerEvent,
		"com.example.something.else":  core.TriggerEvent,
	} {
		if got := TriggerOf(k); got != want {
			t.Errorf("TriggerOf(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvMaxBodyBytes, "2048")
	t.Setenv(EnvExposeErrors, "true")
	if e, err := FromEnv(); err != nil || e.MaxBodyBytes != 2048 || !e.ExposeErrors {
		t.Fatalf("FromEnv() = %+v, %v", e, err)
	}
	t.Setenv(EnvMaxBodyBytes, "-1")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), `POLYFN_MAX_BODY_BYTES="-1"`) {
		t.Fatalf("a negative limit: %v", err)
	}
	t.Setenv(EnvMaxBodyBytes, "")
	t.Setenv(EnvExposeErrors, "maybe")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), `POLYFN_EXPOSE_ERRORS="maybe"`) {
		t.Fatalf("a bad boolean: %v", err)
	}
}

// logLines returns the JSON log lines in buf, with the values that change
// from run to run (time, ids, stacks, deadlines) replaced.
func logLines(t *testing.T, buf *bytes.Buffer) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		for _, k := range []string{"time", KeyInvocationID, KeyStack, KeyDeadline} {
			if _, ok := m[k]; ok {
				m[k] = "<" + k + ">"
			}
		}
		enc := json.NewEncoder(&out) // sorted keys, one line each
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func TestFailureLogLines(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	fn := newFunction(t, Config{Provider: "test", Logger: log}, func(a *core.App) {
		core.Must(a.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
			switch e.ID() {
			case "permanent":
				return nil, core.Permanentf("bad order")
			case "retryable":
				return nil, errors.New("db down")
			case "panic":
				panic("boom")
			case "deadline":
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return nil, nil
		}, core.WithTimeout(20*time.Millisecond)))
	})
	ctx, cancel := fn.Begin(context.Background(), Start{ID: "inv-1"})
	defer cancel()
	for _, id := range []string{"ok", "permanent", "retryable", "panic", "deadline"} {
		fn.Event(ctx, core.NewEvent(id, "/src", "com.example.t", "", nil))
	}
	evs := []core.Event{core.NewEvent("a", "/src", "t", "", nil), core.NewEvent("retryable", "/src", "t", "", nil), core.NewEvent("c", "/src", "t", "", nil)}
	for i := range evs {
		evs[i].SetExtension(core.PartitionKeyExtension, "k")
	}
	res := fn.Batch(context.Background(), evs, driver.BatchOptions{StopOnFailure: true})
	if got := Summary(res, "records"); got != "2 of 3 records failed" {
		t.Errorf("Summary = %q", got)
	}
	fn.LogRejected(context.Background(), "inv-2", errors.New("no ce-id header"), slog.Int(KeyStatus, 400))
	golden.Check(t, "testdata/failure-log.golden.jsonl", logLines(t, &buf))
}

func TestHTTPFunction(t *testing.T) {
	var buf bytes.Buffer
	fn := newFunction(t, Config{Provider: "test", MaxBodyBytes: 16, Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
		PanicHeader: http.Header{"X-Crash": {"yes"}}}, func(a *core.App) {
		core.Must(a.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/items/late":
				w.WriteHeader(http.StatusAccepted)
				panic("after the header")
			case "/items/boom":
				panic("boom")
			case "/items/abort":
				panic(http.ErrAbortHandler)
			}
			inv := core.InvocationFrom(r.Context())
			b := new(bytes.Buffer)
			if _, err := b.ReadFrom(r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
				return
			}
			w.Header().Set("X-Seen", inv.Function+" "+inv.ID+" "+string(inv.Trigger)+" "+r.PathValue("id")+" "+b.String())
		}), core.OnHTTP("/items/{id}")))
	})
	serve := func(method, path, body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		fn.HTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)), Start{ID: "r-1"})
		return w
	}
	if w := serve("POST", "/items/42", "hi"); w.Code != 200 || w.Header().Get("X-Seen") != "web r-1 http 42 hi" {
		t.Fatalf("served %d %q", w.Code, w.Header().Get("X-Seen"))
	}
	if w := serve("POST", "/items/42", strings.Repeat("x", 17)); w.Code != http.StatusRequestEntityTooLarge ||
		w.Body.String() != `{"error":"request body of 17 bytes exceeds the limit of 16 bytes","kind":"permanent","invocation_id":"r-1"}`+"\n" {
		t.Fatalf("over the limit: %d %s", w.Code, w.Body)
	}
	w := serve("GET", "/items/boom", "")
	if w.Code != 500 || w.Header().Get("X-Crash") != "yes" || w.Header().Get("Content-Type") != "application/json" ||
		w.Body.String() != `{"error":"the function panicked","kind":"retryable","invocation_id":"r-1"}`+"\n" {
		t.Fatalf("panic: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if !strings.Contains(buf.String(), `"msg":"function panicked"`) || !strings.Contains(buf.String(), `"stack":"goroutine`) {
		t.Fatalf("the panic was not logged with its stack: %s", buf.String())
	}
	if w := serve("GET", "/items/late", ""); w.Code != http.StatusAccepted || w.Header().Get("X-Crash") != "" {
		t.Fatalf("a panic after the header must not rewrite the answer: %d %v", w.Code, w.Header())
	}
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("http.ErrAbortHandler must pass through, got %v", v)
		}
	}()
	serve("GET", "/items/abort", "")
}
