package slogx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestBuffer: with a BufferLevel, an invocation's lines below the level
// are held back; an error line writes them first, in order, and the end
// of an invocation without one drops them. On every shape.
func TestBuffer(t *testing.T) {
	type line struct {
		level slog.Level
		msg   string
	}
	tests := []struct {
		name   string
		id     string // the invocation; "" is outside one
		lines  []line
		sample float64
		want   []string // the messages written, in order
	}{
		{"success drops held lines", "ok-1",
			[]line{{slog.LevelDebug, "d1"}, {slog.LevelInfo, "i1"}, {slog.LevelDebug, "d2"}}, 0, []string{"i1"}},
		{"an error writes held lines first", "fail-1",
			[]line{{slog.LevelDebug, "d1"}, {slog.LevelInfo, "i1"}, {slog.LevelDebug, "d2"}, {slog.LevelError, "boom"}, {slog.LevelDebug, "after"}},
			0, []string{"i1", "d1", "d2", "boom"}},
		{"below the buffer level never", "fail-2",
			[]line{{slog.LevelDebug - 4, "trace"}, {slog.LevelDebug, "d1"}, {slog.LevelError, "boom"}}, 0, []string{"d1", "boom"}},
		{"outside an invocation nothing is held", "",
			[]line{{slog.LevelDebug, "d1"}, {slog.LevelError, "boom"}}, 0, []string{"boom"}},
		{"a sampled invocation writes at once", "sampled",
			[]line{{slog.LevelDebug, "d1"}, {slog.LevelInfo, "i1"}}, 1, []string{"d1", "i1"}},
	}
	shapes := []struct {
		shape Shape
		msg   string
	}{{Plain, "msg"}, {Lambda, "message"}, {CloudLogging, "message"}}
	for _, s := range shapes {
		for _, tt := range tests {
			t.Run(tt.name+"/"+s.msg+"/"+string(rune('0'+s.shape)), func(t *testing.T) {
				var buf bytes.Buffer
				log := slog.New(New(&buf, Options{Shape: s.shape, Fields: fieldsOf, BufferLevel: slog.LevelDebug, DebugSampleRate: tt.sample}))
				ctx := context.Background()
				if tt.id != "" {
					ctx = context.WithValue(ctx, fieldsKey{}, Fields{Function: "f", InvocationID: tt.id})
				}
				for _, l := range tt.lines {
					log.Log(ctx, l.level, l.msg)
				}
				EndInvocation(tt.id)
				if got := messages(t, buf.String(), s.msg); strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Errorf("lines %q, want %q", got, tt.want)
				}
				held.Lock()
				n := len(buffers)
				held.Unlock()
				if n != 0 {
					t.Errorf("%d invocations' lines still held", n)
				}
			})
		}
	}
}

// TestBufferBound: past BufferBytes the oldest held lines are dropped,
// and a warning says how many.
func TestBufferBound(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(&buf, Options{Fields: fieldsOf, BufferLevel: slog.LevelDebug}))
	ctx := context.WithValue(context.Background(), fieldsKey{}, Fields{InvocationID: "big"})
	big := strings.Repeat("x", 1000)
	const n = 2 * BufferBytes / 1000
	for i := 0; i < n; i++ {
		log.DebugContext(ctx, "d", "i", i, "pad", big)
	}
	log.ErrorContext(ctx, "boom")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	dropped, _ := first["dropped"].(float64)
	if first["level"] != "WARN" || dropped <= 0 {
		t.Fatalf("first line %s, want the warning of dropped lines", lines[0])
	}
	if kept := len(lines) - 2; kept+int(dropped) != n || kept*1000 > BufferBytes {
		t.Errorf("%d lines kept and %v dropped of %d, bound %d bytes", kept, dropped, n, BufferBytes)
	}
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-2]), &last); err != nil {
		t.Fatal(err)
	}
	if last["i"] != float64(n-1) {
		t.Errorf("the newest held line is %v, want %d", last["i"], n-1)
	}
}

// messages returns the message of each JSON line of out.
func messages(t *testing.T, out, key string) []string {
	t.Helper()
	var msgs []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		msgs = append(msgs, m[key].(string))
	}
	return msgs
}
