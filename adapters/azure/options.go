package azure

import (
	"io"
	"log/slog"
	"time"

	"github.com/polyfn/polyfn/internal/httpserve"
	"github.com/polyfn/polyfn/providers/azure"
)

// An Option configures the Azure adapter.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	stdout, stderr  io.Writer
	logLevel        slog.Leveler
	logSampleRate   float64
	maxBody         int64
	forwarding      *bool
	functionTimeout time.Duration
	functions       map[string]azure.FunctionConfig
	shutdownTimeout time.Duration
	exposeErrors    bool
	maxBatch        int
	limits          httpserve.Limits
}

// DefaultMaxBodyBytes is the request body limit when none is set: 100 MiB,
// the host's own limit for HTTP requests.
const DefaultMaxBodyBytes = 100 << 20

func newConfig(opts []Option) config {
	c := config{stdout: io.Discard, stderr: io.Discard, maxBody: DefaultMaxBodyBytes, shutdownTimeout: 10 * time.Second}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithOutput sets where logs go: JSON lines on stdout, and records of
// level Error and above on stderr, as the host expects (it logs stderr at
// Error level). Handler's default discards both; Run's default is the
// process's standard output and standard error. A nil writer keeps the
// default.
func WithOutput(stdout, stderr io.Writer) Option {
	return optionFunc(func(c *config) {
		if stdout != nil {
			c.stdout = stdout
		}
		if stderr != nil {
			c.stderr = stderr
		}
	})
}

// WithLogLevel sets the lowest level logged; nil keeps the default, Info.
// Run sets it from POLYFN_LOG_LEVEL.
func WithLogLevel(l slog.Leveler) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logLevel = l
		}
	})
}

// WithLogSampleRate logs a share rate (0 to 1) of invocations from Debug
// up, whatever the level; an invocation is in the sample or not by its id.
// Run sets it from POLYFN_LOG_SAMPLE_RATE.
func WithLogSampleRate(rate float64) Option {
	return optionFunc(func(c *config) { c.logSampleRate = rate })
}

// WithMaxBodyBytes limits request bodies to n bytes; larger requests fail
// with 413. The default is DefaultMaxBodyBytes; n <= 0 keeps it.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	})
}

// WithForwarding says whether the host forwards raw HTTP requests
// (host.json customHandler.enableForwardingHttpRequest). By default the
// adapter applies the rule the generated host.json follows: forwarding when
// every function is an HTTP function. Run reads host.json when it finds it.
func WithForwarding(on bool) Option {
	return optionFunc(func(c *config) { c.forwarding = &on })
}

// WithFunctionTimeout sets the deadline of functions that declare no
// timeout (host.json functionTimeout). The default, 0, sets none; Run reads
// host.json when it finds it.
func WithFunctionTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.functionTimeout = d
		}
	})
}

// WithFunctionConfigs gives the function.json of functions as the host
// loaded them, by function name. Their trigger binding (type, name,
// dataType, cardinality) then overrides the App's declaration, so a
// hand-edited function.json is decoded correctly. Run reads them from the
// function app folder.
func WithFunctionConfigs(m map[string]azure.FunctionConfig) Option {
	return optionFunc(func(c *config) { c.functions = m })
}

// WithShutdownTimeout bounds how long Run waits for invocations in flight
// after SIGINT or SIGTERM. The default is 10 seconds; d <= 0 keeps it.
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.shutdownTimeout = d
		}
	})
}

// WithErrorDetails puts a function's error text in the JSON error answers
// the adapter writes, for development. By default an answer says how the
// function failed and the text goes to the log only. The host drops the
// body of a failed invocation, but an HTTP caller of an HTTP-triggered
// event function gets it. Run turns this on when POLYFN_EXPOSE_ERRORS is
// true.
func WithErrorDetails(on bool) Option {
	return optionFunc(func(c *config) { c.exposeErrors = on })
}

// WithMaxBatchEvents limits the events of one CloudEvents batch an
// HTTP-triggered event function gets; its caller gets 413 for a larger
// one. The default is 1,000 (POLYFN_MAX_BATCH_EVENTS); n <= 0 keeps it.
func WithMaxBatchEvents(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBatch = n
		}
	})
}

// WithReadTimeout bounds reading a whole request of the host, body
// included. The default is 230 s, the longest Azure's front end lets an
// HTTP request run (POLYFN_READ_TIMEOUT); d <= 0 keeps it.
func WithReadTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{ReadTimeout: d}.Or(c.limits) })
}

// WithWriteTimeout bounds an invocation from the end of the host's request
// headers to the end of the answer. The default is what the host waits
// itself: the function timeout (host.json functionTimeout, else 30
// minutes, the longest default of any plan) or a function's own longer
// timeout, plus 1 minute (POLYFN_WRITE_TIMEOUT); d <= 0 keeps it.
func WithWriteTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{WriteTimeout: d}.Or(c.limits) })
}

// WithIdleTimeout bounds how long a keep-alive connection of the host waits
// for its next request. The default is 3 minutes, longer than the host's
// HTTP client keeps an idle connection, so that the host closes it first
// (POLYFN_IDLE_TIMEOUT); d <= 0 keeps it.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{IdleTimeout: d}.Or(c.limits) })
}

// WithMaxConns sets the number of open connections above which the server
// closes waiting ones (idle keep-alives, connections that have not sent a
// whole request header), longest waiting first; connections serving an
// invocation are never closed for it. The default is half the process's
// open-file limit, at most 4,096 (POLYFN_MAX_CONNS); n <= 0 keeps it.
func WithMaxConns(n int) Option {
	return optionFunc(func(c *config) { c.limits = httpserve.Limits{MaxConns: n}.Or(c.limits) })
}
