package aws

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/core"
)

// Start serves app on the Lambda runtime and never returns. It reads the
// environment once:
//
//   - POLYFN_FUNCTION: the function to serve (see WithFunction);
//   - _HANDLER: the function's Handler setting, used when it names a
//     function of app and POLYFN_FUNCTION is not set.
//
// Options given to Start override the environment. Start enables SIGTERM
// delivery (lambda.WithEnableSIGTERM) and runs the WithShutdownHook
// functions on it. When no function can be selected it prints the reason
// to standard error and exits with status 1, which Lambda reports as
// Runtime.ExitError.
func Start(app *core.App, opts ...Option) {
	env := []Option{WithLogger(slog.New(lambdacontext.NewLogHandler()))}
	if name := os.Getenv("POLYFN_FUNCTION"); name != "" {
		env = append(env, WithFunction(name))
	} else if name := os.Getenv("_HANDLER"); name != "" {
		if _, ok := app.Function(name); ok {
			env = append(env, WithFunction(name))
		}
	}
	opts = append(env, opts...)
	h, err := NewHandler(app, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
		os.Exit(1)
	}
	log := h.log
	hooks := h.cfg.shutdown
	onTerm := func() {
		log.Info("SIGTERM: the execution environment is shutting down")
		for _, f := range hooks {
			f()
		}
	}
	lambda.StartWithOptions(h, lambda.WithEnableSIGTERM(onTerm))
}
