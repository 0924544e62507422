package slogx

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// BufferBytes bounds the lines one invocation holds back (see
// Options.BufferLevel), about as they will be written; past it the oldest
// are dropped, and a warning says how many when the rest are written.
const BufferBytes = 20 << 10

// The lines held back, by invocation id, for every handler of the process:
// a function's lines and the runtime's failure line may go through two
// handlers, and the failure line writes both's.
var (
	held      sync.Mutex
	buffers   map[string]*buffer
	buffering atomic.Bool // a handler with a BufferLevel was made
)

// A buffer is the lines held back for one invocation, oldest first.
type buffer struct {
	lines   []heldLine
	bytes   int
	dropped int
}

// A heldLine is a record, whole (the invocation's fields included), and
// the handler and context it is to be written with.
type heldLine struct {
	h    *handler
	ctx  context.Context
	r    slog.Record
	size int
}

// Buffering reports whether a handler of the process holds lines back
// (Options.BufferLevel): the runtime then calls EndInvocation when an
// invocation ends.
func Buffering() bool { return buffering.Load() }

// EndInvocation drops the lines held back for the invocation id: it ended
// without an error line, so they are not written.
func EndInvocation(id string) {
	held.Lock()
	delete(buffers, id)
	held.Unlock()
}

// hold keeps l for the invocation id, dropping the oldest lines past
// BufferBytes.
func hold(id string, l heldLine) {
	held.Lock()
	defer held.Unlock()
	if buffers == nil {
		buffers = make(map[string]*buffer)
	}
	b := buffers[id]
	if b == nil {
		b = &buffer{}
		buffers[id] = b
	}
	b.lines = append(b.lines, l)
	b.bytes += l.size
	n := 0
	for b.bytes > BufferBytes && n < len(b.lines) {
		b.bytes -= b.lines[n].size
		n++
	}
	if n > 0 {
		b.dropped += n
		b.lines = append(b.lines[:0], b.lines[n:]...)
	}
}

// release writes the lines held back for the invocation id, in order, and
// forgets them; a warning through h says how many were dropped.
func release(ctx context.Context, h *handler, id string) {
	held.Lock()
	b := buffers[id]
	delete(buffers, id)
	held.Unlock()
	if b == nil {
		return
	}
	if b.dropped > 0 {
		r := slog.NewRecord(b.lines[0].r.Time, slog.LevelWarn, "log lines dropped: the invocation's buffer is full", 0)
		r.AddAttrs(slog.Int("dropped", b.dropped), slog.Int("buffer_bytes", BufferBytes))
		h.Handle(ctx, r) //nolint:errcheck // as with any line, a write error has nowhere to go
	}
	for _, l := range b.lines {
		l.h.sink.Handle(l.ctx, l.r) //nolint:errcheck // as with any line
	}
}

// holdsIn reports whether h holds back a line of level l of the invocation
// f: its level is held (holds), and the invocation is not in the debug
// sample.
func (h *handler) holdsIn(f Fields, l slog.Level) bool {
	return h.holds(l) && !(h.o.DebugSampleRate > 0 && l >= slog.LevelDebug && Sampled(f.InvocationID, h.o.DebugSampleRate))
}

// Holds reports whether h, a handler of New or Wrap, holds back a line of
// level l logged with ctx (see Options.BufferLevel): a handler that also
// writes lines elsewhere (Azure's invocation Logs) leaves those out.
func Holds(h slog.Handler, ctx context.Context, l slog.Level) bool {
	x, ok := h.(*handler)
	if !ok || x.o.BufferLevel == nil || x.o.Fields == nil || ctx == nil || !x.holds(l) {
		return false
	}
	f, ok := x.o.Fields(ctx)
	return ok && f.InvocationID != "" && x.holdsIn(f, l)
}

// recordSize estimates the bytes of r's line.
func recordSize(r slog.Record) int {
	n := 64 + len(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		n += attrSize(a)
		return true
	})
	return n
}

func attrSize(a slog.Attr) int {
	n := len(a.Key) + 4
	switch a.Value.Kind() {
	case slog.KindString:
		n += len(a.Value.String())
	case slog.KindGroup:
		for _, g := range a.Value.Group() {
			n += attrSize(g)
		}
	default:
		n += 16
	}
	return n
}
