package gcp

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/polyfn/polyfn/internal/httpserve"
	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
)

// An Option configures the gcp adapter.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	logger          *slog.Logger
	maxBody         int64
	target          string
	timeout         time.Duration
	shutdownTimeout time.Duration
	permanentStatus int
	exposeErrors    bool
	maxBatch        int
	limits          httpserve.Limits
}

// DefaultMaxBodyBytes is the request body limit when none is set: 32 MiB,
// Cloud Functions' own limit for HTTP requests.
const DefaultMaxBodyBytes = 32 << 20

func newConfig(opts []Option) config {
	c := config{maxBody: DefaultMaxBodyBytes, shutdownTimeout: 7 * time.Second, permanentStatus: http.StatusUnprocessableEntity}
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

// runtime returns the invocation runtime c describes.
func (c config) runtime() *invoke.Runtime {
	return invoke.New(invoke.Config{
		Provider:        "gcp",
		Logger:          c.logger,
		Timeout:         c.timeout,
		MaxBodyBytes:    c.maxBody,
		PermanentStatus: c.permanentStatus,
		ExposeErrors:    c.exposeErrors,
		MaxBatchEvents:  c.maxBatch,
		PanicHeader:     crash,
	})
}

// crash is the header Cloud Functions puts on the answer of a function that
// crashed.
var crash = http.Header{"X-Google-Status": {"crash"}}

// WithLogger sets the logger for rejected requests, failures, panics and
// lifecycle messages.
// Handler's default discards logs; Run and package gcf default to Cloud
// Logging JSON lines on standard output (see NewLogger). A nil logger keeps
// the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithTarget serves the named function at "/" for every path and method, as
// FUNCTION_TARGET does. Run reads FUNCTION_TARGET itself; an empty name
// serves each function at its own path.
func WithTarget(name string) Option {
	return optionFunc(func(c *config) { c.target = name })
}

// WithErrorDetails puts a function's error text in the JSON error answers
// of failed event functions, for development. By default callers get the
// error kind and the invocation id, and the text goes to the log only (Run
// turns this on when POLYFN_EXPOSE_ERRORS is true).
func WithErrorDetails(on bool) Option {
	return optionFunc(func(c *config) { c.exposeErrors = on })
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

// WithTimeout bounds every invocation, as CLOUD_RUN_TIMEOUT_SECONDS does (Run
// reads it). A function's own core.WithTimeout applies too; the shorter
// wins. The default, 0, sets no bound.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithShutdownTimeout bounds how long Run waits for requests in flight after
// SIGTERM. The default is 7 seconds: with the stop hooks'
// adapters.StopGrace, inside the 10 seconds Cloud Run allows before
// SIGKILL; d <= 0 keeps it.
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.shutdownTimeout = d
		}
	})
}

// WithPermanentErrorStatus sets the status answered when an event function
// fails with a permanent error (core.Permanent). The default, 422
// Unprocessable Entity, reports the failure like any other: Eventarc nacks
// every non-2xx answer, so with retries enabled the event comes back until
// the subscription's dead-letter topic takes it. A 2xx code (202 Accepted,
// say) acknowledges the event instead: it is dropped, and only the error
// log line records it. Codes outside 200..599 keep the default.
func WithPermanentErrorStatus(code int) Option {
	return optionFunc(func(c *config) {
		if code >= 200 && code <= 599 {
			c.permanentStatus = code
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
// it. Run's server only: package gcf's is functions-framework-go's.
func WithReadTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{ReadTimeout: d}.Or(c.limits) })
}

// WithWriteTimeout bounds a request from the end of its headers to the end
// of its answer. The default is the request timeout (WithTimeout,
// CLOUD_RUN_TIMEOUT_SECONDS; else 60 minutes, the longest Cloud Run
// allows) or a function's own longer timeout, plus 10 s to write the
// answer (POLYFN_WRITE_TIMEOUT); d <= 0 keeps it. Run's server only.
func WithWriteTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{WriteTimeout: d}.Or(c.limits) })
}

// WithIdleTimeout bounds how long a keep-alive connection waits for its
// next request. The default is 620 s, the keep-alive Google asks of
// servers behind its front ends (which keep idle connections 600 s), so
// that the front end, not the server, closes an idle connection
// (POLYFN_IDLE_TIMEOUT); d <= 0 keeps it. Run's server only.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{IdleTimeout: d}.Or(c.limits) })
}

// WithMaxConns sets the number of open connections above which the server
// closes waiting ones (idle keep-alives, connections that have not sent a
// whole request header), longest waiting first; connections serving a
// request are never closed for it. The default is half the process's
// open-file limit, at most 4,096 (POLYFN_MAX_CONNS); n <= 0 keeps it.
// Run's server only.
func WithMaxConns(n int) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{MaxConns: n}.Or(c.limits) })
}
