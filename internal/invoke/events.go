package invoke

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
)

// A Decoder reads the events an HTTP request for an event function carries.
// batched is true for a batch, whose replies go back as one JSON array.
// Errors name what is wrong with the request; ServeEvents answers them 400.
type Decoder func(r *http.Request, body []byte) (evs []core.Event, batched bool, err error)

// CloudEvents is the Decoder of the CloudEvents HTTP binding: binary,
// structured and batched mode, with batches of at most
// DefaultMaxBatchEvents events. ServeEvents, given no decoder, uses the
// same with the runtime's cap (Config.MaxBatchEvents).
func CloudEvents(r *http.Request, body []byte) ([]core.Event, bool, error) {
	if !cehttp.IsCloudEventContentType(cehttp.ContentType(r.Header)) {
		e, err := cehttp.ReadBinary(r.Header, body) // the common case
		if err != nil {
			return nil, false, err
		}
		return []core.Event{e}, false, nil
	}
	evs, mode, err := cehttp.Read(r.Header, body)
	return evs, mode == cehttp.Batch, err
}

// ErrBodyTooLarge is wrapped by ReadBody's error for a body over the limit.
var ErrBodyTooLarge = errors.New("request body too large")

// ReadBody reads r's whole body, at most max bytes. Its error wraps
// ErrBodyTooLarge when the body is longer, and names the limit.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: %d bytes exceed the limit of %d bytes", ErrBodyTooLarge, r.ContentLength, max)
	}
	size := int64(512)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1 // +1 lets Read report EOF without growing
	}
	buf := make([]byte, 0, size)
	body := http.MaxBytesReader(w, r.Body, max)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, fmt.Errorf("%w: the body exceeds the limit of %d bytes", ErrBodyTooLarge, max)
			}
			return nil, fmt.Errorf("reading request body: %w", err)
		}
	}
}

// ServeEvents serves r, an HTTP request for fn, an event function: it
// reads the body under the runtime's limit (413 over it), decodes it with
// dec, or with the CloudEvents HTTP binding when dec is nil (400 and the
// reason when that fails; 413 for a batch of more events than
// Config.MaxBatchEvents, which the binding refuses before it decodes any,
// and which dec's result is held to as well), begins the invocation s
// describes, runs the function on the one event or the batch, and answers:
//
//   - 200 with the reply in binary mode, or 204 without one;
//   - for a batch, 200 with the replies as a JSON batch, or 204;
//   - on failure, the JSON error shape (see WriteError) with status 422 for
//     a permanent failure and 500 otherwise; a batch lists its failed
//     records under "failed", with their index, id and kind. When the
//     events carry ordering keys (partitionkey), the events that follow a
//     failed one of the same key do not run and are listed as failed.
func (fn *Function) ServeEvents(w http.ResponseWriter, r *http.Request, s Start, dec Decoder) {
	body, err := ReadBody(w, r, fn.rt.cfg.MaxBodyBytes)
	if err != nil {
		fn.reject(w, r.Context(), s.ID, err)
		return
	}
	if dec == nil && !cehttp.IsCloudEventContentType(cehttp.ContentType(r.Header)) {
		// Binary mode, the common case, without a slice for one event.
		e, err := cehttp.ReadBinary(r.Header, body)
		if err != nil {
			fn.reject(w, r.Context(), s.ID, err)
			return
		}
		fn.serveOne(w, r, s, e)
		return
	}
	if dec == nil {
		dec = fn.rt.readCloudEvents
	}
	evs, batched, err := dec(r, body)
	if err == nil && len(evs) == 0 {
		err = errors.New("the request carries no event")
	}
	if err == nil {
		err = fn.rt.checkBatchSize(evs)
	}
	if err != nil {
		fn.reject(w, r.Context(), s.ID, err)
		return
	}
	if len(evs) == 1 && !batched {
		fn.serveOne(w, r, s, evs[0])
		return
	}
	if s.Trigger == "" {
		s.Trigger = TriggerOf(core.EventKindOf(evs[0]))
	}
	ctx, cancel := fn.Begin(r.Context(), s)
	defer cancel()
	id := core.InvocationFrom(ctx).ID
	res := fn.Batch(ctx, evs, driver.BatchOptions{StopOnFailure: keyed(evs)})
	if failed := res.Failed(); len(failed) > 0 {
		fn.writeBatchError(w, evs, res, failed, id)
		return
	}
	fn.writeReplies(ctx, w, res, id)
}

// serveOne runs the function on e, the one event of a request, and answers.
func (fn *Function) serveOne(w http.ResponseWriter, r *http.Request, s Start, e core.Event) {
	if s.Trigger == "" {
		s.Trigger = TriggerOf(core.EventKindOf(e))
	}
	ctx, cancel := fn.Begin(r.Context(), s)
	defer cancel()
	id := core.InvocationFrom(ctx).ID
	res, t := fn.runEvent(ctx, e)
	if res.Err != nil {
		o := res.Outcome()
		WriteError(w, fn.rt.StatusOf(o), fn.rt.errorMessage(res.Err), o, id)
		return
	}
	fn.writeReply(ctx, w, res.Reply, id, t)
}

// keyed reports whether any event carries an ordering key (the
// partitionkey extension): a failed event then stops the later events of
// its key, which the caller must send again after it, in order.
func keyed(evs []core.Event) bool {
	for _, e := range evs {
		if _, ok := core.Extension(e, core.PartitionKeyExtension); ok {
			return true
		}
	}
	return false
}

// reject answers a request that could not be decoded: 413 for a body over
// the limit or a batch of too many events, 400 otherwise, with the reason
// (it is about the caller's input, not the function).
func (fn *Function) reject(w http.ResponseWriter, ctx context.Context, id string, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, cejson.ErrTooManyEvents) {
		status = http.StatusRequestEntityTooLarge
	}
	fn.LogRejected(ctx, id, err, slog.Int(KeyStatus, status))
	WriteError(w, status, err.Error(), driver.Permanent, id)
}

// writeReply answers reply in binary mode, with the distributed-tracing
// extension t (see replyTrace) among its headers, or 204 without a reply.
func (fn *Function) writeReply(ctx context.Context, w http.ResponseWriter, reply *core.Event, id string, t traceExt) {
	if reply == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := cejson.Validate(*reply); err != nil {
		fn.badReply(ctx, w, err, id)
		return
	}
	if err := cehttp.WriteValidBinary(w, reply, http.StatusOK, cehttp.Trace{Parent: t.parent, State: t.state}); err != nil {
		fn.badReply(ctx, w, err, id)
	}
}

func (fn *Function) writeReplies(ctx context.Context, w http.ResponseWriter, res driver.BatchResult, id string) {
	var out []byte
	for _, r := range res.Records {
		if r.Reply == nil {
			continue
		}
		if out == nil {
			out = append(out, '[')
		} else {
			out = append(out, ',')
		}
		var err error
		if out, err = cejson.Append(out, *r.Reply); err != nil {
			fn.badReply(ctx, w, err, id)
			return
		}
	}
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header()["Content-Type"] = batchContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(out, ']'))
}

var batchContentType = []string{cehttp.BatchContentType}

// badReply answers a reply event that cannot be written: the function's
// own bug, so permanent.
func (fn *Function) badReply(ctx context.Context, w http.ResponseWriter, err error, id string) {
	err = core.Permanent(fmt.Errorf("the function returned an invalid reply event: %w", err))
	fn.log.ErrorContext(ctx, "invalid reply event", KeyInvocationID, id, KeyError, err.Error())
	WriteError(w, http.StatusInternalServerError, fn.rt.errorMessage(err), driver.Permanent, id)
}

func (fn *Function) writeBatchError(w http.ResponseWriter, evs []core.Event, res driver.BatchResult, failed []int, id string) {
	worst := driver.Permanent
	for _, i := range failed {
		if o := res.Records[i].Outcome(); o.Retry() {
			worst = o
		}
	}
	b := appendErrorMembers(make([]byte, 0, 128+64*len(failed)), Summary(res, "events"), worst, id)
	b = append(b, `,"failed":[`...)
	for n, i := range failed {
		if n > 0 {
			b = append(b, ',')
		}
		err := res.Records[i].Err
		o := res.Records[i].Outcome()
		b = fmt.Appendf(b, `{"index":%d,"id":`, i)
		b = cejson.AppendString(b, evs[i].ID())
		b = append(b, `,"kind":"`...)
		b = append(b, kindOf(o)...)
		b = append(b, `","error":`...)
		b = cejson.AppendString(b, fn.rt.errorMessage(err))
		b = append(b, '}')
	}
	b = append(b, "]}\n"...)
	w.Header()["Content-Type"] = jsonContentType
	w.Header()["X-Content-Type-Options"] = nosniff
	w.WriteHeader(fn.rt.StatusOf(worst))
	_, _ = w.Write(b)
}
