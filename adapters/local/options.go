package local

import (
	"log/slog"
	"time"

	"github.com/polyfn/polyfn/internal/httpserve"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
)

// An Option configures the local adapter.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	logger          *slog.Logger
	maxBody         int64
	function        string
	shutdownTimeout time.Duration
	provider        string
	exposeErrors    bool
	maxBatch        int
	limits          httpserve.Limits
}

// DefaultMaxBodyBytes is the request body limit when none is set: 10 MiB.
const DefaultMaxBodyBytes = invoke.DefaultMaxBodyBytes

func newConfig(opts []Option) config {
	c := config{maxBody: DefaultMaxBodyBytes, shutdownTimeout: 7 * time.Second, provider: "local"}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.logger == nil {
		c.logger = slog.New(slogx.Discard)
	}
	return c
}

// WithLogger sets the logger for request failures, panics and lifecycle
// messages. Handler's default discards logs; Run's default writes JSON lines
// to standard output. A nil logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithMaxBodyBytes limits request bodies to n bytes; larger requests get 413.
// The default is DefaultMaxBodyBytes; n <= 0 keeps it.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	})
}

// WithErrorDetails puts a function's error text in the JSON error answers
// of failed event functions, for development. By default callers get the
// error kind and the invocation id, and the text goes to the log only (Run
// turns this on when POLYFN_EXPOSE_ERRORS is true).
func WithErrorDetails(on bool) Option {
	return optionFunc(func(c *config) { c.exposeErrors = on })
}

// WithFunction names the event function served at POST /. By default / serves
// the App's only event function, and nothing when it has several.
func WithFunction(name string) Option {
	return optionFunc(func(c *config) { c.function = name })
}

// WithShutdownTimeout bounds how long Run waits for requests in flight after
// SIGINT or SIGTERM. The default is 7 seconds: with the stop hooks'
// adapters.StopGrace, inside the 10 seconds Knative and Cloud Run allow
// before SIGKILL; d <= 0 keeps it.
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.shutdownTimeout = d
		}
	})
}

// WithProvider sets the provider name functions see in their invocation
// metadata (core.InvocationFrom(ctx).Provider). The default is "local"; adapters that reuse this
// server for a cloud set their own.
func WithProvider(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.provider = name
		}
	})
}

// WithMaxBatchEvents limits the events of one CloudEvents batch; a larger
// batch gets 413 before any event is decoded. The default is 1,000
// (POLYFN_MAX_BATCH_EVENTS); n <= 0 keeps it.
func WithMaxBatchEvents(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBatch = n
		}
	})
}

// WithReadTimeout bounds reading a whole request, body included: a slower
// request is cut. The default is 60 s (POLYFN_READ_TIMEOUT); d <= 0 keeps
// it.
func WithReadTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{ReadTimeout: d}.Or(c.limits) })
}

// WithWriteTimeout bounds a request from the end of its headers to the end
// of its answer. The default is the longest of 5 minutes (Knative's and
// Cloud Run's default request timeout) and the functions' own timeouts,
// plus 10 s to write the answer (POLYFN_WRITE_TIMEOUT); d <= 0 keeps it.
func WithWriteTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{WriteTimeout: d}.Or(c.limits) })
}

// WithIdleTimeout bounds how long a keep-alive connection waits for its
// next request. The default is 120 s (POLYFN_IDLE_TIMEOUT); d <= 0 keeps
// it.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{IdleTimeout: d}.Or(c.limits) })
}

// WithMaxConns sets the number of open connections above which the server
// closes waiting ones (idle keep-alives, connections that have not sent a
// whole request header), longest waiting first; connections serving a
// request are never closed for it. The default is half the process's
// open-file limit, at most 4,096 (POLYFN_MAX_CONNS); n <= 0 keeps it.
func WithMaxConns(n int) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{MaxConns: n}.Or(c.limits) })
}
