package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/providers/aws"
)

// Provider is the provider name functions see (core.Provider).
const Provider = "aws"

// A Handler serves one function of an App as a Lambda handler: it
// implements aws-lambda-go's lambda.Handler (Invoke(ctx, payload)). It is
// safe for concurrent use.
type Handler struct {
	fn       *core.Function
	event    core.EventFunc
	http     http.Handler
	sources  []aws.Source
	httpOpts aws.HTTPOptions
	cfg      config
	log      *slog.Logger
	cold     atomic.Bool // set once the first invocation has started
}

// NewHandler returns the Handler for the function of app selected by
// WithFunction, or app's only function. It reads no environment variables.
// It returns an error naming the problem when no function is selected
// among several, or the selected one does not exist.
func NewHandler(app *core.App, opts ...Option) (*Handler, error) {
	c := newConfig(opts)
	fns := app.Functions()
	var f *core.Function
	switch {
	case c.function != "":
		var ok bool
		if f, ok = app.Function(c.function); !ok {
			return nil, fmt.Errorf("aws: function %q is not in this app (it has %v)", c.function, app.Names())
		}
	case len(fns) == 1:
		f = fns[0]
	case len(fns) == 0:
		return nil, errors.New("aws: the app has no functions")
	default:
		return nil, fmt.Errorf("aws: the app has several functions %v: set POLYFN_FUNCTION (or the Lambda Handler setting) to the one this Lambda function serves", app.Names())
	}
	h := &Handler{fn: f, event: f.EventFunc(), http: f.HTTPHandler(), sources: aws.SourceOf(f), cfg: c}
	h.log = c.logger.With("function", f.Name)
	for _, t := range f.Triggers {
		if t.Kind == core.TriggerHTTP {
			h.httpOpts.BasePath = t.Setting("aws", aws.SettingBasePath)
			h.httpOpts.ProxyPath = t.Setting("aws", aws.SettingProxyPath) == "true"
			break
		}
	}
	return h, nil
}

// Function returns the function h serves.
func (h *Handler) Function() *core.Function { return h.fn }

// Invoke handles one invocation: it decodes payload, runs the function and
// returns the invocation result. A failed invocation returns a
// messages.InvokeResponse_Error whose Type is providers/aws.ErrorType of
// the failure.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := &core.Invocation{Function: h.fn.Name, Provider: Provider, ColdStart: !h.cold.Swap(true)}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		inv.ID = lc.AwsRequestID
	}
	if dl, ok := ctx.Deadline(); ok {
		inv.Deadline = dl
		if h.cfg.reserve > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, dl.Add(-h.cfg.reserve))
			defer cancel()
		}
	}
	src, err := h.source(payload)
	if err != nil {
		return nil, h.fail(ctx, inv, err)
	}
	inv.Trigger = src.TriggerKind()
	if src.IsHTTP() {
		return h.invokeHTTP(ctx, inv, src, payload)
	}
	if h.event == nil {
		return nil, h.fail(ctx, inv, fmt.Errorf("%w: function %q is an HTTP function; it cannot take a %s payload", aws.ErrUnsupportedPayload, h.fn.Name, src))
	}
	b, err := aws.Decode(src, payload)
	if err != nil {
		return nil, h.fail(ctx, inv, err)
	}
	switch {
	case b.Source == aws.SourceCloudEvent:
		inv.Trigger = core.TriggerDirect
	case b.Scheduled():
		inv.Trigger = core.TriggerSchedule
	}
	ctx = driver.WithInvocation(ctx, inv)
	res := driver.RunBatch(ctx, h.event, b.Events, b.Options(h.fn.BatchConcurrency))
	for _, i := range res.Failed() {
		h.logFailure(ctx, inv, b.Events[i], res.Records[i].Err)
	}
	out, err := b.Response(res)
	if err != nil {
		return nil, h.errorResponse(ctx, err)
	}
	return out, nil
}

// source returns the payload's source: the declared one when the function
// declares exactly one, else what Sniff finds among those declared.
func (h *Handler) source(payload []byte) (aws.Source, error) {
	if len(h.sources) == 1 {
		return h.sources[0], nil
	}
	src, err := aws.Sniff(payload)
	if err != nil {
		return src, err
	}
	if len(h.sources) == 0 || src == aws.SourceCloudEvent {
		return src, nil
	}
	for _, s := range h.sources {
		if s == src || s.IsHTTP() && src.IsHTTP() {
			return src, nil
		}
	}
	return src, fmt.Errorf("%w: function %q declares %v but the payload is %s", aws.ErrUnsupportedPayload, h.fn.Name, h.sources, src)
}

// invokeHTTP serves an HTTP payload with the HTTP function, or, for an
// event function, reads the CloudEvent the request carries.
func (h *Handler) invokeHTTP(ctx context.Context, inv *core.Invocation, src aws.Source, payload []byte) ([]byte, error) {
	hr, err := aws.DecodeHTTP(src, payload)
	if err != nil {
		return nil, h.fail(ctx, inv, err)
	}
	if inv.ID == "" {
		inv.ID = hr.ID()
	}
	ctx = driver.WithInvocation(ctx, inv)
	req, err := hr.Request(ctx, h.httpOpts)
	if err != nil {
		return nil, h.fail(ctx, inv, err)
	}
	w := aws.NewResponseWriter()
	if h.http != nil {
		h.http.ServeHTTP(w, req)
	} else {
		h.serveEvent(w, req, hr)
	}
	return hr.Response(w), nil
}

// serveEvent answers an HTTP request for an event function, as the local
// adapter does.
func (h *Handler) serveEvent(w *aws.ResponseWriter, req *http.Request, hr *aws.HTTPRequest) {
	ctx := req.Context()
	inv := core.InvocationFrom(ctx)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "reading request body: "+err.Error(), "")
		return
	}
	evs, batched, err := hr.CloudEvents(req, body)
	if err != nil {
		h.log.WarnContext(ctx, "rejected request", "id", inv.ID, "error", err.Error())
		writeJSONError(w, http.StatusBadRequest, err.Error(), "")
		return
	}
	res := driver.RunBatch(ctx, h.event, evs, driver.BatchOptions{Concurrency: h.fn.BatchConcurrency})
	if failed := res.Failed(); len(failed) > 0 {
		for _, i := range failed {
			h.logFailure(ctx, &inv, evs[i], res.Records[i].Err)
		}
		err := res.Records[failed[0]].Err
		msg := err.Error()
		if len(evs) > 1 {
			msg = fmt.Sprintf("%d of %d events failed: %v", len(failed), len(evs), res.Err())
		}
		writeJSONError(w, http.StatusInternalServerError, msg, core.ErrorKindOf(err).String())
		return
	}
	if batched {
		out := []byte{'['}
		n := 0
		for _, r := range res.Records {
			if r.Reply == nil {
				continue
			}
			if n > 0 {
				out = append(out, ',')
			}
			if out, err = aws.AppendReply(out, r.Reply); err != nil {
				writeJSONError(w, http.StatusInternalServerError, err.Error(), core.ErrorPermanent.String())
				return
			}
			n++
		}
		if n == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", cehttp.BatchContentType)
		_, _ = w.Write(append(out, ']'))
		return
	}
	reply := res.Records[0].Reply
	if reply == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := cejson.Validate(*reply); err != nil {
		h.log.ErrorContext(ctx, "function returned an invalid reply event", "id", inv.ID, "error", err.Error())
		writeJSONError(w, http.StatusInternalServerError, "reply event: "+err.Error(), core.ErrorPermanent.String())
		return
	}
	if err := cehttp.WriteBinary(w, reply, http.StatusOK); err != nil {
		h.log.ErrorContext(ctx, "writing reply", "id", inv.ID, "error", err.Error())
	}
}

func writeJSONError(w http.ResponseWriter, status int, msg, kind string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
		Kind  string `json:"kind,omitempty"`
	}{msg, kind})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fail logs an invocation-level failure and returns it as a Lambda error.
func (h *Handler) fail(ctx context.Context, inv *core.Invocation, err error) error {
	h.log.ErrorContext(ctx, "invocation failed", "id", inv.ID, "error", err.Error(), "errorType", aws.ErrorType(err))
	return h.errorResponse(ctx, err)
}

// errorResponse turns err into the error value aws-lambda-go reports with
// its own errorType. A deadline error says how much time was left, since
// an early "context deadline exceeded" confuses users.
func (h *Handler) errorResponse(ctx context.Context, err error) error {
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		if dl, ok := ctx.Deadline(); ok {
			msg += fmt.Sprintf(" (the function's context expired at %s, %s before Lambda's deadline, which leaves time to report it)",
				dl.UTC().Format(time.RFC3339Nano), h.cfg.reserve)
		}
	}
	return messages.InvokeResponse_Error{Message: msg, Type: aws.ErrorType(err)}
}

func (h *Handler) logFailure(ctx context.Context, inv *core.Invocation, e core.Event, err error) {
	attrs := []any{"id", inv.ID, "event", e.ID(), "type", e.Type()}
	if trace, _ := ctx.Value("x-amzn-trace-id").(string); trace != "" {
		attrs = append(attrs, "trace", trace)
	}
	var p *core.PanicError
	if errors.As(err, &p) {
		h.log.ErrorContext(ctx, "function panicked", append(attrs, "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))...)
		return
	}
	if errors.Is(err, driver.ErrSkipped) {
		h.log.WarnContext(ctx, "record not run", append(attrs, "reason", err.Error())...)
		return
	}
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, context.DeadlineExceeded) {
		attrs = append(attrs, "deadline", dl.UTC().Format(time.RFC3339Nano), "remaining", strconv.FormatInt(time.Until(dl).Milliseconds(), 10)+"ms")
	}
	h.log.ErrorContext(ctx, "function failed", append(attrs, "error", err.Error(), "kind", core.ErrorKindOf(err).String())...)
}
