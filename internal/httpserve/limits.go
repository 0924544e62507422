package httpserve

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core"
)

// The defaults of Limits fields left zero. Each adapter sets its own where
// its platform asks for another (see docs/limits.md).
const (
	// DefaultReadHeaderTimeout bounds reading a request's headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds reading a whole request, headers and body:
	// a 10 MiB body needs 175 KiB/s to arrive in time.
	DefaultReadTimeout = 60 * time.Second
	// DefaultIdleTimeout bounds how long a keep-alive connection waits for
	// its next request: longer than the 90 s after which Go's HTTP clients
	// (Knative's proxies among them) drop theirs, so the client, not the
	// server, closes an idle connection and never reuses one being closed.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultRequestTimeout is the request timeout assumed when neither the
	// platform nor a function states one: Cloud Run's and Knative's default.
	DefaultRequestTimeout = 5 * time.Minute
	// WriteGrace is added to the longest time a request may run to give the
	// write timeout: the time to write the answer once the function ends.
	WriteGrace = 10 * time.Second
	// MaxDefaultConns bounds DefaultMaxConns.
	MaxDefaultConns = 4096
)

// The environment variables FromEnv reads.
const (
	EnvReadTimeout  = "POLYFN_READ_TIMEOUT"
	EnvWriteTimeout = "POLYFN_WRITE_TIMEOUT"
	EnvIdleTimeout  = "POLYFN_IDLE_TIMEOUT"
	EnvMaxConns     = "POLYFN_MAX_CONNS"
)

// Limits bound what clients can hold of a server. A zero field takes its
// default.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers; 0 means
	// DefaultReadHeaderTimeout.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, from its
	// first byte: a slow body is cut there (the function, if it was reading
	// the body, gets an error). 0 means DefaultReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its answer: the function's run and the write. 0 means
	// DefaultRequestTimeout + WriteGrace; see WriteTimeoutFor.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request; 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxConns is the number of open connections above which the server
	// closes idle connections, and connections that have not sent a whole
	// request header, oldest first, to keep room for new ones. Connections
	// serving a request are never closed for it. 0 means DefaultMaxConns().
	MaxConns int
}

// Or returns l with its zero fields taken from def.
func (l Limits) Or(def Limits) Limits {
	pick := func(v, d time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	l.ReadHeaderTimeout = pick(l.ReadHeaderTimeout, def.ReadHeaderTimeout)
	l.ReadTimeout = pick(l.ReadTimeout, def.ReadTimeout)
	l.WriteTimeout = pick(l.WriteTimeout, def.WriteTimeout)
	l.IdleTimeout = pick(l.IdleTimeout, def.IdleTimeout)
	if l.MaxConns <= 0 {
		l.MaxConns = def.MaxConns
	}
	return l
}

// withDefaults fills every zero field with the package default.
func (l Limits) withDefaults() Limits {
	return l.Or(Limits{
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultRequestTimeout + WriteGrace,
		IdleTimeout:       DefaultIdleTimeout,
		MaxConns:          DefaultMaxConns(),
	})
}

// WriteTimeoutFor returns the write timeout that lets any request of fns
// finish and be answered: the longest of the platform's request timeout
// (DefaultRequestTimeout when it is 0) and the functions' own timeouts
// (core.WithTimeout), plus grace (WriteGrace when it is 0).
func WriteTimeoutFor(platform, grace time.Duration, fns []*core.Function) time.Duration {
	if grace <= 0 {
		grace = WriteGrace
	}
	longest := platform
	if longest <= 0 {
		longest = DefaultRequestTimeout
	}
	for _, f := range fns {
		longest = max(longest, f.Timeout)
	}
	return longest + grace
}

// DefaultMaxConns returns the default of Limits.MaxConns: half the
// process's open-file limit (the other half is left to the function's own
// files and connections), at most MaxDefaultConns and at least 32.
func DefaultMaxConns() int {
	n := openFileLimit() / 2
	return min(max(n, 32), MaxDefaultConns)
}

// FromEnv reads the limits set in the environment: POLYFN_READ_TIMEOUT,
// POLYFN_WRITE_TIMEOUT and POLYFN_IDLE_TIMEOUT (Go durations, "90s",
// "10m") and POLYFN_MAX_CONNS (a number). Unset variables give zero fields.
// Its error names the variable and the value at fault.
func FromEnv() (Limits, error) {
	var l Limits
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{EnvReadTimeout, &l.ReadTimeout}, {EnvWriteTimeout, &l.WriteTimeout}, {EnvIdleTimeout, &l.IdleTimeout}} {
		v := os.Getenv(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return l, fmt.Errorf("%s=%q is not a positive duration such as 30s or 5m", d.name, v)
		}
		*d.dst = t
	}
	if v := os.Getenv(EnvMaxConns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return l, fmt.Errorf("%s=%q is not a positive number of connections", EnvMaxConns, v)
		}
		l.MaxConns = n
	}
	return l, nil
}
