package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// Start serves app on the Lambda runtime and never returns. It reads the
// environment once:
//
//   - POLYFN_FUNCTION: the function to serve (see WithFunction);
//   - _HANDLER: the function's Handler setting, used when it names a
//     function of app and POLYFN_FUNCTION is not set;
//   - POLYFN_MAX_BODY_BYTES: the HTTP request body limit (see
//     WithMaxBodyBytes);
//   - POLYFN_EXPOSE_ERRORS: true puts error text in HTTP error answers
//     (see WithErrorDetails);
//   - AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL (Lambda's logging
//     configuration), POLYFN_LOG_LEVEL, which wins over the latter, and
//     POLYFN_LOG_SAMPLE_RATE (the share of invocations logged from DEBUG)
//     and POLYFN_LOG_BUFFER (the level from which an invocation's lines
//     below the log level are held back, and written only when it logs an
//     error):
//     the logger Start installs as slog's default (see NewLogHandler);
//   - POLYFN_METRICS_NAMESPACE (or POWERTOOLS_METRICS_NAMESPACE): the
//     CloudWatch namespace of the Embedded Metric Format lines written at
//     the end of each invocation (see StartMetrics), in a program that
//     imports package core/metrics; unset writes none.
//
// Options given to Start override the environment. Before serving, Start
// runs the App's start hooks with the environment (core.App.Start: the
// function's environment variables are its settings). When there is
// something to run at shutdown (a WithShutdownHook function or a stop hook
// of the App), it enables SIGTERM delivery (lambda.WithEnableSIGTERM,
// which registers an internal extension) and on SIGTERM runs the
// WithShutdownHook functions, then the App's stop hooks within StopGrace,
// and exits. When no function can be selected, a variable holds a value it
// cannot use, a required setting is missing or a start hook fails, it
// prints the reason to standard error and exits with status 1, which
// Lambda reports as Runtime.ExitError.
func Start(app *core.App, opts ...Option) {
	e, err := invoke.FromEnv()
	if err == nil {
		e.LogLevel, err = logLevel(e.LogLevel, os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "aws:", err)
		os.Exit(1)
	}
	logger := slog.New(newLogHandler(os.Stdout, os.Getenv("AWS_LAMBDA_LOG_FORMAT"), e))
	env := []Option{WithLogger(logger)}
	if name := os.Getenv("POLYFN_FUNCTION"); name != "" {
		env = append(env, WithFunction(name))
	} else if name := os.Getenv("_HANDLER"); name != "" {
		if _, ok := app.Function(name); ok {
			env = append(env, WithFunction(name))
		}
	}
	env = append(env, WithMaxBodyBytes(e.MaxBodyBytes), WithErrorDetails(e.ExposeErrors))
	h, err := NewHandler(app, append(env, opts...)...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if h.cfg.logger == logger {
		slog.SetDefault(logger) // functions' slog.InfoContext(ctx, ...) lines carry the invocation
	}
	if ns := metricsNamespace(); ns != "" {
		_, err := StartMetrics(ns, os.Stdout, h.fn.Logger())
		switch {
		case errors.Is(err, ErrNoMetrics):
			h.fn.Logger().Warn("no metrics written: "+err.Error(), "namespace", ns)
		case err != nil:
			fmt.Fprintln(os.Stderr, "aws:", err)
			os.Exit(1)
		}
	}
	if err := app.Start(context.Background(), os.LookupEnv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hooks := h.cfg.shutdown
	if len(hooks) == 0 && !app.HasStopHooks() {
		// Nothing to run at shutdown: no extension to register, which
		// would cost a request to the Extensions API in every cold start.
		lambda.Start(h)
		return
	}
	log := h.fn.Logger()
	onTerm := func() {
		log.Info("SIGTERM: the execution environment is shutting down")
		for _, f := range hooks {
			f()
		}
		ctx, cancel := context.WithTimeout(context.Background(), StopGrace)
		defer cancel()
		if err := app.Stop(ctx); err != nil {
			log.Error("stop hooks failed", "error", err.Error())
		}
		// Done: exit rather than wait for SIGKILL.
		os.Exit(0)
	}
	lambda.StartWithOptions(h, lambda.WithEnableSIGTERM(onTerm))
}

// StopGrace bounds the App's stop hooks on SIGTERM: Lambda sends SIGKILL
// about 500 ms after SIGTERM.
const StopGrace = 500 * time.Millisecond
