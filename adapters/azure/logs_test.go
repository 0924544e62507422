package azure

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func TestLogHandlerInvocationID(t *testing.T) {
	inv := driver.WithInvocation(context.Background(), &core.Invocation{ID: "inv-1"})
	pre, _ := withSink(context.Background(), "host-1") // before the invocation began
	tests := []struct {
		name   string
		ctx    context.Context
		log    func(l *slog.Logger, ctx context.Context)
		want   string // the invocation_id the line holds
		noLine bool
	}{
		{"from the invocation", inv, func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m") }, "inv-1", false},
		{"from the sink", pre, func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m") }, "host-1", false},
		{"the record's own", inv, func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m", "invocation_id", "own") }, "own", false},
		{"a logger's own", inv, func(l *slog.Logger, ctx context.Context) { l.With("invocation_id", "with").InfoContext(ctx, "m") }, "with", false},
		{"none", context.Background(), func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m") }, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.log(slog.New(NewLogHandler(&out, &out)), tt.ctx)
			line := out.String()
			if n := strings.Count(line, `"invocation_id"`); tt.noLine && n != 0 || !tt.noLine && n != 1 {
				t.Fatalf("%d invocation_id keys in %s", n, line)
			}
			if !tt.noLine && !strings.Contains(line, `"invocation_id":"`+tt.want+`"`) {
				t.Errorf("line %s, want invocation_id %s", line, tt.want)
			}
		})
	}
}

func TestLogHandlerSink(t *testing.T) {
	ctx, s := withSink(context.Background(), "id")
	var out, errs bytes.Buffer
	l := slog.New(NewLogHandler(&out, &errs)).With("a", "b c").WithGroup("g")
	l.InfoContext(ctx, "hello", "k", 1)
	l.ErrorContext(ctx, "bad", "e", "x=y")
	want := []string{`INFO hello a="b c" g.k=1`, `ERROR bad a="b c" g.e="x=y"`}
	if got := s.take(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Logs %q, want %q", got, want)
	}
	if !strings.Contains(out.String(), `"msg":"hello"`) || strings.Contains(out.String(), `"msg":"bad"`) || !strings.Contains(errs.String(), `"msg":"bad"`) {
		t.Errorf("stdout %s\nstderr %s: want Info on stdout and Error on stderr", out.String(), errs.String())
	}
}
