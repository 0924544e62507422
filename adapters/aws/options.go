package aws

import (
	"log/slog"
	"time"
)

// An Option configures the Lambda adapter.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	function     string
	logger       *slog.Logger
	reserve      time.Duration
	maxBody      int64
	exposeErrors bool
	shutdown     []func()
}

// DefaultDeadlineReserve is the time kept back from a handler's deadline
// when none is set: 100 ms.
const DefaultDeadlineReserve = 100 * time.Millisecond

func newConfig(opts []Option) config {
	c := config{reserve: DefaultDeadlineReserve}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithFunction names the function of the App this Lambda function serves.
// By default it is POLYFN_FUNCTION or _HANDLER (read by Start), or the
// App's only function.
func WithFunction(name string) Option {
	return optionFunc(func(c *config) { c.function = name })
}

// WithLogger sets the logger for failures, panics and lifecycle messages.
// NewHandler's default discards logs; Start's default is NewLogHandler's
// (text or JSON per AWS_LAMBDA_LOG_FORMAT, with the request id). A nil
// logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithDeadlineReserve sets how long before Lambda's deadline the handler's
// context expires, leaving the adapter time to report records that did not
// finish as failed. The default is DefaultDeadlineReserve; 0 gives the
// handler Lambda's own deadline; a negative d keeps the default.
func WithDeadlineReserve(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.reserve = d
		}
	})
}

// WithMaxBodyBytes limits the request bodies of HTTP functions, and of
// event functions invoked over HTTP, to n bytes; larger requests get 413.
// The default is 10 MiB (Start reads POLYFN_MAX_BODY_BYTES), above
// Lambda's own 6 MB payload limit; n <= 0 keeps it.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	})
}

// WithErrorDetails puts a function's error text in the JSON error answers
// of event functions invoked over HTTP (API Gateway, ALB, Function URL),
// for development. By default HTTP callers get the error kind and the
// invocation id, and the text goes to the log only (Start turns this on
// when POLYFN_EXPOSE_ERRORS is true). Lambda errors (errorMessage) always
// carry the text: only the invoker sees them.
func WithErrorDetails(on bool) Option {
	return optionFunc(func(c *config) { c.exposeErrors = on })
}

// WithShutdownHook adds a function Start runs when Lambda sends SIGTERM
// before shutting the execution environment down (about 500 ms before
// SIGKILL). Use it to flush telemetry. Hooks run in the order given.
func WithShutdownHook(f func()) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.shutdown = append(c.shutdown, f)
		}
	})
}
