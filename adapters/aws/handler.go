package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/providers/aws"
)

// Provider is the provider name functions see
// (core.InvocationFrom(ctx).Provider).
const Provider = aws.Provider

// A Handler serves one function of an App as a Lambda handler: it
// implements aws-lambda-go's lambda.Handler (Invoke(ctx, payload)). It is
// safe for concurrent use.
type Handler struct {
	fn       *invoke.Function
	sources  []aws.Source
	httpOpts aws.HTTPOptions
	cfg      config
}

// NewHandler returns the Handler for the function of app selected by
// WithFunction, or app's only function. It reads no environment variables.
// It returns an error naming the problem when no function is selected
// among several, the selected one does not exist, or its triggers carry an
// AWS setting with a value this adapter does not know.
func NewHandler(app *core.App, opts ...Option) (*Handler, error) {
	c := newConfig(opts)
	f, err := app.Select(c.function, 0)
	if err != nil {
		if c.function == "" && len(app.Functions()) > 1 {
			return nil, fmt.Errorf("aws: %w; set POLYFN_FUNCTION (or the Lambda function's Handler setting) to the one this Lambda function serves", err)
		}
		return nil, fmt.Errorf("aws: %w", err)
	}
	sources, err := aws.SourceOf(f)
	if err != nil {
		return nil, err
	}
	httpOpts, err := aws.HTTPOptionsOf(f)
	if err != nil {
		return nil, err
	}
	rt := invoke.New(invoke.Config{
		Provider:     Provider,
		Logger:       c.logger,
		Reserve:      c.reserve,
		MaxBodyBytes: c.maxBody,
		ExposeErrors: c.exposeErrors,
		RecordTrace:  aws.RecordTraceParent,
	})
	return &Handler{fn: rt.Function(f), sources: sources, httpOpts: httpOpts, cfg: c}, nil
}

// Function returns the function h serves.
func (h *Handler) Function() *core.Function { return h.fn.Def() }

// Invoke handles one invocation: it decodes payload, runs the function and
// returns the invocation result. A failed invocation returns a
// messages.InvokeResponse_Error whose Type is providers/aws.ErrorType of
// the failure.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	s := start(ctx)
	src, err := aws.Detect(h.sources, payload)
	if err != nil {
		return nil, h.reject(ctx, s.ID, err)
	}
	if src.IsHTTP() {
		return h.invokeHTTP(ctx, s, src, payload)
	}
	if h.fn.Def().Kind != core.EventFunction {
		return nil, h.reject(ctx, s.ID, fmt.Errorf("%w: function %q is an HTTP function; it cannot take a %s payload", aws.ErrUnsupportedPayload, h.fn.Name(), src))
	}
	b, err := aws.Decode(src, payload)
	if err != nil {
		return nil, h.reject(ctx, s.ID, err)
	}
	s.Trigger = b.Trigger()
	ctx, cancel := h.fn.Begin(ctx, s)
	defer cancel()
	var res driver.BatchResult
	if len(b.Events) == 1 && !b.ReportsItemFailures() {
		r := h.fn.Event(b.WithRecord(ctx, 0), b.Events[0])
		res.Records = []driver.RecordResult{r}
	} else {
		res = h.fn.Batch(ctx, b.Events, b.Options(h.fn.Def().BatchConcurrency))
	}
	out, err := b.Response(res)
	if err != nil {
		if aws.ErrorType(err) == aws.ErrorTypeInvalidReply {
			h.fn.Logger().LogAttrs(ctx, slog.LevelError, "invalid reply event",
				slog.String(invoke.KeyInvocationID, core.InvocationFrom(ctx).ID), slog.String(invoke.KeyError, err.Error()))
		}
		return nil, h.errorResponse(ctx, err)
	}
	return out, nil
}

// start describes the invocation ctx begins: the Lambda request id, and
// the trace context of the X-Ray trace header aws-lambda-go puts in ctx.
func start(ctx context.Context) invoke.Start {
	var s invoke.Start
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		s.ID = lc.AwsRequestID
	}
	if xray, _ := ctx.Value("x-amzn-trace-id").(string); xray != "" {
		s.TraceParent, _ = aws.TraceParent(xray)
	}
	return s
}

// invokeHTTP serves an HTTP payload with the HTTP function, or, for an
// event function, runs it on the events the request carries.
func (h *Handler) invokeHTTP(ctx context.Context, s invoke.Start, src aws.Source, payload []byte) ([]byte, error) {
	hr, err := aws.DecodeHTTP(src, payload)
	if err != nil {
		return nil, h.reject(ctx, s.ID, err)
	}
	if s.ID == "" {
		s.ID = hr.ID()
	}
	req, err := hr.Request(ctx, h.httpOpts)
	if err != nil {
		return nil, h.reject(ctx, s.ID, err)
	}
	if tp := req.Header["Traceparent"]; len(tp) > 0 {
		s.TraceParent, s.TraceState = tp[0], req.Header.Get("Tracestate")
	}
	w := aws.NewResponseWriter()
	if h.fn.Def().Kind == core.HTTPFunction {
		h.fn.HTTP(w, req, s)
	} else {
		h.fn.ServeGuarded(w, req, s, hr.CloudEvents)
	}
	return hr.Response(w), nil
}

// reject logs a payload the function never saw, because it could not be
// read or does not fit the function, and returns it as a Lambda error.
func (h *Handler) reject(ctx context.Context, id string, err error) error {
	h.fn.LogRejected(ctx, id, err, slog.String("error_type", aws.ErrorType(err)))
	return h.errorResponse(ctx, err)
}

// errorResponse turns err into the error value aws-lambda-go reports with
// its own errorType. A deadline error says which deadline passed and when,
// since an early "context deadline exceeded" confuses users.
func (h *Handler) errorResponse(ctx context.Context, err error) error {
	msg := err.Error()
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, context.DeadlineExceeded) {
		at := dl.UTC().Format(time.RFC3339Nano)
		switch {
		case h.fn.Def().Timeout > 0 && core.InvocationFrom(ctx).Deadline.Equal(dl):
			msg += fmt.Sprintf(" (the function's timeout of %s expired at %s)", h.fn.Def().Timeout, at)
		case h.cfg.reserve > 0:
			msg += fmt.Sprintf(" (the function's context expired at %s, %s before Lambda's deadline, which leaves time to report it)", at, h.cfg.reserve)
		default:
			msg += fmt.Sprintf(" (Lambda's deadline passed at %s)", at)
		}
	}
	return messages.InvokeResponse_Error{Message: msg, Type: aws.ErrorType(err)}
}
