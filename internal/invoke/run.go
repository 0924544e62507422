package invoke

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/opaque"
)

// Event runs fn on e with ctx, a context Begin returned, and logs a
// failure. The function's context carries e for log lines (LogFields) and
// its trace context (TraceParent), which a reply without one of its own
// gets as its distributed-tracing extension. It panics if fn is an HTTP
// function.
func (fn *Function) Event(ctx context.Context, e core.Event) driver.RecordResult {
	res, t := fn.runEvent(ctx, e)
	t.set(res.Reply)
	return res
}

// runEvent is Event without giving the reply its distributed-tracing
// extension: it returns the extension's values instead (see replyTrace),
// for a caller that writes them itself, as a binary-mode answer's headers.
func (fn *Function) runEvent(ctx context.Context, e core.Event) (res driver.RecordResult, t traceExt) {
	rc := fn.rt.withRecord(ctx, e, -1, 1)
	ctx = rc
	var end func(error)
	if o := loadObserver(); o != nil {
		ctx, end = observeRecord(o, rc, -1, 1)
	}
	reply, err := opaque.Get(fn.event)(ctx, e)
	if err != nil {
		fn.LogFailure(ctx, e, -1, err)
	} else {
		t = replyTrace(ctx, reply)
	}
	if end != nil {
		end(err)
		setInvocationErr(ctx, err)
	}
	return driver.RecordResult{Reply: reply, Err: err}, t
}

// Batch runs fn on evs with ctx, a context Begin returned, through
// driver.RunBatch, and logs each failed record. opts.Concurrency 0 takes
// the function's declared batch concurrency (core.WithBatchConcurrency).
// Each record runs with its event in its context, as with Event.
func (fn *Function) Batch(ctx context.Context, evs []core.Event, opts driver.BatchOptions) driver.BatchResult {
	if opts.Concurrency == 0 {
		opts.Concurrency = fn.def.BatchConcurrency
	}
	outer := opts.Context
	opts.Context = func(ctx context.Context, i int) context.Context {
		if outer != nil {
			ctx = outer(ctx, i)
		}
		return fn.rt.withRecord(ctx, evs[i], i, len(evs))
	}
	res := driver.RunBatch(ctx, fn.runRecord, evs, opts)
	if loadObserver() != nil {
		setInvocationErr(ctx, res.Err())
	}
	for i, r := range res.Records {
		if r.Err != nil {
			fn.LogFailure(ctx, evs[i], i, r.Err)
		}
	}
	return res
}

// runRecord runs the function on one record of a batch, with ctx from
// withRecord.
func (fn *Function) runRecord(ctx context.Context, e core.Event) (*core.Event, error) {
	var end func(error)
	if o := loadObserver(); o != nil {
		if rc, ok := ctx.(*recordCtx); ok {
			ctx, end = observeRecord(o, rc, rc.index, rc.size)
		}
	}
	reply, err := opaque.Get(fn.event)(ctx, e)
	if err == nil {
		carryTrace(ctx, reply)
	}
	if end != nil {
		end(err)
	}
	return reply, err
}

// The keys of the failure line, the same on every adapter.
const (
	KeyInvocationID = "invocation_id"
	KeyEventID      = "event_id"
	KeyEventType    = "event_type"
	KeyEventSource  = "event_source"
	KeyIndex        = "index"
	KeyOutcome      = "outcome"
	KeyError        = "error"
	KeyStack        = "stack"
	KeyDeadline     = "deadline"
	KeyStatus       = "status" // the HTTP status answered
)

// LogFailure logs that the function failed on e, record index of a batch
// (-1 for a single event), with err: "function panicked" with the stack,
// "record not run" (a warning) for a skipped record, "function failed"
// otherwise. Every line carries the function, the invocation id, the
// event's id, type and source, the outcome and the error text.
func (fn *Function) LogFailure(ctx context.Context, e core.Event, index int, err error) {
	o := driver.OutcomeOf(err)
	level, msg := slog.LevelError, "function failed"
	switch o {
	case driver.Panic:
		msg = "function panicked"
	case driver.Skipped:
		level, msg = slog.LevelWarn, "record not run"
	}
	if !fn.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String(KeyInvocationID, core.InvocationFrom(ctx).ID),
		slog.String(KeyEventID, e.ID()),
		slog.String(KeyEventType, e.Type()),
		slog.String(KeyEventSource, e.Source()))
	if index >= 0 {
		attrs = append(attrs, slog.Int(KeyIndex, index))
	}
	attrs = append(attrs, slog.String(KeyOutcome, o.String()), slog.String(KeyError, err.Error()))
	var p *core.PanicError
	switch {
	case o == driver.Panic && errors.As(err, &p):
		attrs = append(attrs, slog.String(KeyStack, string(p.Stack)))
	case o == driver.Deadline:
		if dl, ok := ctx.Deadline(); ok {
			attrs = append(attrs, slog.String(KeyDeadline, dl.UTC().Format(time.RFC3339Nano)))
		}
	}
	fn.log.LogAttrs(ctx, level, msg, attrs...)
}

// LogRejected logs a request or payload the adapter refused before the
// function ran (malformed, over the body limit, not fit for the function):
// "request rejected", a warning with the invocation id (when there is one),
// the reason, and attrs (the HTTP status answered, the platform's error
// type, ...).
func (fn *Function) LogRejected(ctx context.Context, id string, reason error, attrs ...slog.Attr) {
	logRejected(ctx, fn.log, id, reason, attrs)
}

// LogRejected is Function.LogRejected for a request that names no function
// of the runtime's.
func (rt *Runtime) LogRejected(ctx context.Context, id string, reason error, attrs ...slog.Attr) {
	logRejected(ctx, rt.cfg.Logger, id, reason, attrs)
}

func logRejected(ctx context.Context, log *slog.Logger, id string, reason error, attrs []slog.Attr) {
	if !log.Enabled(ctx, slog.LevelWarn) {
		return
	}
	all := make([]slog.Attr, 0, 2+len(attrs))
	if id != "" {
		all = append(all, slog.String(KeyInvocationID, id))
	}
	all = append(all, slog.String(KeyError, reason.Error()))
	log.LogAttrs(ctx, slog.LevelWarn, "request rejected", append(all, attrs...)...)
}

// logPanic logs an HTTP function's panic.
func (fn *Function) logPanic(ctx context.Context, p *core.PanicError) {
	setInvocationErr(ctx, p)
	fn.log.LogAttrs(ctx, slog.LevelError, "function panicked",
		slog.String(KeyInvocationID, core.InvocationFrom(ctx).ID),
		slog.String(KeyOutcome, driver.Panic.String()),
		slog.String(KeyError, p.Error()),
		slog.String(KeyStack, string(p.Stack)))
}

// Summary describes the failures of a batch in one line: "2 of 4 records
// failed".
func Summary(res driver.BatchResult, noun string) string {
	return fmt.Sprintf("%d of %d %s failed", len(res.Failed()), len(res.Records), noun)
}
