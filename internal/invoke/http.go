package invoke

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
)

// HTTP serves r with fn, an HTTP function: it begins the invocation
// described by s on r's context, bounds the request body (413 when the
// declared length is over the limit), and answers 500 in the JSON error
// shape when the function panics before writing its header. A panic after
// that only ends the answer early. http.ErrAbortHandler passes through, as
// net/http expects.
func (fn *Function) HTTP(w http.ResponseWriter, r *http.Request, s Start) {
	if s.Trigger == "" {
		s.Trigger = core.TriggerHTTP
	}
	ctx, cancel := fn.Begin(r.Context(), s)
	defer cancel()
	max := fn.rt.cfg.MaxBodyBytes
	if r.ContentLength > max {
		err := fmt.Errorf("request body of %d bytes exceeds the limit of %d bytes", r.ContentLength, max)
		fn.LogRejected(ctx, core.InvocationFrom(ctx).ID, err, slog.Int(KeyStatus, http.StatusRequestEntityTooLarge))
		WriteError(w, http.StatusRequestEntityTooLarge, err.Error(), driver.Permanent, core.InvocationFrom(ctx).ID)
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, max)
	}
	rw := &tracker{ResponseWriter: w}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		fn.logPanic(ctx, &core.PanicError{Value: v, Stack: debug.Stack()})
		if rw.wrote {
			return
		}
		for k, vs := range fn.rt.cfg.PanicHeader {
			w.Header()[k] = vs
		}
		WriteError(w, http.StatusInternalServerError, "the function panicked", driver.Panic, core.InvocationFrom(ctx).ID)
	}()
	r = r.WithContext(ctx)
	if fn.routes != nil && r.Pattern == "" {
		fill(fn.routes, r) // the platform routed r: fill in its path values
	}
	fn.http.ServeHTTP(rw, r)
}

// tracker records whether the handler began its answer.
type tracker struct {
	http.ResponseWriter
	wrote bool
}

func (w *tracker) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *tracker) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *tracker) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends buffered data to the client when the underlying writer can.
func (w *tracker) Flush() {
	w.wrote = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// errorMessage returns what an HTTP caller is told of a failed function:
// its error text when the runtime exposes errors, else the outcome in
// words.
func (rt *Runtime) errorMessage(err error) string {
	if rt.cfg.ExposeErrors {
		return err.Error()
	}
	switch driver.OutcomeOf(err) {
	case driver.Panic:
		return "the function panicked"
	case driver.Deadline:
		return "the function did not finish before its deadline"
	case driver.Skipped:
		return "not run: an earlier event with the same ordering key failed"
	}
	return "the function failed"
}

// StatusOf returns the HTTP status of a failed event function: the
// runtime's permanent status (422 by default) for a permanent failure, 500
// for the rest.
func (rt *Runtime) StatusOf(o driver.Outcome) int {
	if o == driver.Permanent {
		return rt.cfg.PermanentStatus
	}
	return http.StatusInternalServerError
}

// WriteError answers status with the JSON error shape every adapter uses:
//
//	{"error":"...","kind":"permanent","invocation_id":"..."}
//
// kind is the outcome's retry class, "permanent" or "retryable" (panics and
// deadlines are retryable); id may be empty.
func WriteError(w http.ResponseWriter, status int, msg string, o driver.Outcome, id string) {
	b := AppendError(make([]byte, 0, 96+len(msg)), msg, o, id)
	w.Header()["Content-Type"] = jsonContentType
	w.Header()["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

var (
	jsonContentType = []string{"application/json"}
	nosniff         = []string{"nosniff"}
)

// AppendError appends the JSON error object
// {"error":msg,"kind":...,"invocation_id":id} to dst.
func AppendError(dst []byte, msg string, o driver.Outcome, id string) []byte {
	dst = appendErrorMembers(dst, msg, o, id)
	return append(dst, '}')
}

func appendErrorMembers(dst []byte, msg string, o driver.Outcome, id string) []byte {
	dst = append(dst, `{"error":`...)
	dst = cejson.AppendString(dst, msg)
	dst = append(dst, `,"kind":`...)
	dst = strconv.AppendQuote(dst, kindOf(o))
	if id != "" {
		dst = append(dst, `,"invocation_id":`...)
		dst = cejson.AppendString(dst, id)
	}
	return dst
}

// kindOf returns the retry class of an outcome.
func kindOf(o driver.Outcome) string {
	if o == driver.Permanent {
		return core.ErrorPermanent.String()
	}
	return core.ErrorRetryable.String()
}
