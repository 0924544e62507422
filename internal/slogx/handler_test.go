package slogx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/golden"
)

type fieldsKey struct{}

func fieldsOf(ctx context.Context) (Fields, bool) {
	f, ok := ctx.Value(fieldsKey{}).(Fields)
	return f, ok
}

var testFields = Fields{
	Function: "fulfil", InvocationID: "inv-1", ColdStart: true,
	EventID: "e-1", EventType: "com.example.order", EventSource: "/orders",
	TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Sampled: true,
}

// logAll writes the lines every shape's golden file holds.
func logAll(h slog.Handler) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	inv := context.WithValue(context.Background(), fieldsKey{}, testFields)
	warm := testFields
	warm.ColdStart, warm.TraceID, warm.SpanID = false, "", ""
	noTrace := context.WithValue(context.Background(), fieldsKey{}, warm)
	rec := func(l slog.Level, msg string, attrs ...slog.Attr) slog.Record {
		r := slog.NewRecord(at, l, msg, 0)
		r.AddAttrs(attrs...)
		return r
	}
	log := func(h slog.Handler, ctx context.Context, r slog.Record) {
		if h.Enabled(ctx, r.Level) {
			_ = h.Handle(ctx, r)
		}
	}
	log(h, context.Background(), rec(slog.LevelInfo, "outside an invocation", slog.Int("port", 8080)))
	log(h, inv, rec(slog.LevelInfo, "order received", slog.String("order", "o-1")))
	log(h, noTrace, rec(slog.LevelInfo, "no trace"))
	log(h, inv, rec(slog.LevelDebug, "debug line"))
	log(h, inv, rec(slog.LevelWarn, "reserved keys escaped",
		slog.String("message", "m-1"), slog.String("msg", "x"), slog.String("level", "x"), slog.String("time", "x"),
		slog.String("severity", "x"), slog.String("timestamp", "x"), slog.String("requestId", "api-1"),
		slog.String("logging.googleapis.com/trace", "x")))
	log(h.WithAttrs([]slog.Attr{slog.String("function", "other"), slog.String("k", "with")}), inv,
		rec(slog.LevelError, "record overrides", slog.String("invocation_id", "own"), slog.String("k", "record"), slog.String("k", "last")))
	log(h.WithAttrs([]slog.Attr{slog.String("a", "1")}).WithGroup("g").WithAttrs([]slog.Attr{slog.String("b", "2")}), inv,
		rec(slog.LevelError+4, "groups", slog.String("b", "3"), slog.Group("", slog.String("inline", "y")), slog.Group("empty")))
	log(h.WithGroup("unused"), inv, rec(slog.LevelDebug-4, "empty group dropped"))
}

func TestShapes(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"plain", Options{Shape: Plain}},
		{"plain-debug", Options{Shape: Plain, Level: slog.LevelDebug - 4}},
		{"lambda", Options{Shape: Lambda, Level: slog.LevelDebug - 4}},
		{"lambda-text", Options{Shape: Lambda, Text: true}},
		{"cloudlogging", Options{Shape: CloudLogging, Project: "proj-1", Level: slog.LevelDebug}},
		{"cloudlogging-noproject", Options{Shape: CloudLogging}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.o.Fields = fieldsOf
			logAll(New(&buf, tt.o))
			if !tt.o.Text {
				for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
					if err := uniqueKeys(line); err != nil {
						t.Errorf("%v in %s", err, line)
					}
				}
			}
			golden.Check(t, "testdata/"+tt.name+".golden", buf.Bytes())
		})
	}
}

// uniqueKeys returns an error when line is not one JSON object, or an
// object in it holds a key twice.
func uniqueKeys(line string) error {
	d := json.NewDecoder(strings.NewReader(line))
	var walk func() error
	walk = func() error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return err
				}
				if seen[k.(string)] {
					return fmt.Errorf("key %q twice", k)
				}
				seen[k.(string)] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		case json.Delim('['):
			for d.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		}
		return nil
	}
	if err := walk(); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("more than one value")
	}
	return nil
}

func TestSourceLocation(t *testing.T) {
	var buf bytes.Buffer
	slog.New(New(&buf, Options{Shape: CloudLogging})).Info("here")
	var line struct {
		Source struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Function string `json:"function"`
		} `json:"logging.googleapis.com/sourceLocation"`
		Severity string `json:"severity"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(line.Source.File, "handler_test.go") || line.Source.Line == 0 || !strings.HasSuffix(line.Source.Function, "TestSourceLocation") || line.Severity != "INFO" {
		t.Errorf("line %s: want this file, line and function, severity INFO", buf.String())
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want slog.Level
		ok   bool
	}{
		{"trace", slog.LevelDebug - 4, true}, {"DEBUG", slog.LevelDebug, true}, {" Info ", slog.LevelInfo, true},
		{"warn", slog.LevelWarn, true}, {"WARNING", slog.LevelWarn, true}, {"error", slog.LevelError, true},
		{"FATAL", slog.LevelError + 4, true}, {"critical", slog.LevelError + 4, true},
		{"", 0, false}, {"loud", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.in)) {
			t.Errorf("error %q does not name the value", err)
		}
	}
}

// A sink gets every attribute in the record, and no WithAttrs call.
func TestWrapSink(t *testing.T) {
	var got []string
	h := Wrap(recordSink(func(r slog.Record) {
		r.Attrs(func(a slog.Attr) bool { got = append(got, a.String()); return true })
	}), Options{Fields: fieldsOf})
	ctx := context.WithValue(context.Background(), fieldsKey{}, Fields{Function: "f"})
	slog.New(h).With("a", 1).WithGroup("g").InfoContext(ctx, "m", "b", 2)
	if want := "function=f a=1 g=[b=2]"; strings.Join(got, " ") != want {
		t.Errorf("sink got %q, want %q", strings.Join(got, " "), want)
	}
}

type recordSink func(slog.Record)

func (s recordSink) Enabled(context.Context, slog.Level) bool      { return true }
func (s recordSink) Handle(_ context.Context, r slog.Record) error { s(r); return nil }
func (s recordSink) WithAttrs([]slog.Attr) slog.Handler            { panic("WithAttrs on a sink") }
func (s recordSink) WithGroup(string) slog.Handler                 { panic("WithGroup on a sink") }

func TestDebugSampling(t *testing.T) {
	in := 0
	for i := 0; i < 10000; i++ {
		if Sampled(fmt.Sprint("inv-", i), 0.1) {
			in++
		}
	}
	if in < 800 || in > 1200 {
		t.Errorf("%d of 10000 ids sampled at 0.1", in)
	}
	tests := []struct {
		name  string
		rate  float64
		id    string
		debug bool
	}{
		{"all", 1, "any", true},
		{"none", 0, "any", false},
		{"an id in the sample", 0.5, sampledID(t, 0.5, true), true},
		{"an id out of it", 0.5, sampledID(t, 0.5, false), false},
		{"outside an invocation", 1, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(New(&buf, Options{DebugSampleRate: tt.rate, Fields: fieldsOf}))
			ctx := context.Background()
			if tt.id != "" {
				ctx = context.WithValue(ctx, fieldsKey{}, Fields{InvocationID: tt.id})
			}
			l.DebugContext(ctx, "d")
			l.Log(ctx, slog.LevelDebug-4, "below debug: never sampled")
			if got := strings.Count(buf.String(), "\n"); got != map[bool]int{true: 1, false: 0}[tt.debug] {
				t.Errorf("%d lines, want debug %v: %s", got, tt.debug, buf.String())
			}
		})
	}
}

// sampledID returns an invocation id that is (or is not) in the sample.
func sampledID(t *testing.T, rate float64, in bool) string {
	for i := 0; i < 1000; i++ {
		if id := fmt.Sprint("id-", i); Sampled(id, rate) == in {
			return id
		}
	}
	t.Fatal("no such id")
	return ""
}
