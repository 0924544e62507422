package aws

import (
	"log/slog"
	"time"

	"github.com/polyfn/polyfn/internal/slogx"
)

// An Option configures the Lambda adapter.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	function string
	logger   *slog.Logger
	reserve  time.Duration
	shutdown []func()
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
	if c.logger == nil {
		c.logger = slog.New(slogx.Discard)
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
// NewHandler's default discards logs; Start's default is aws-lambda-go's
// Lambda log handler (text or JSON per AWS_LAMBDA_LOG_FORMAT, with the
// request id). A nil logger keeps the default.
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
