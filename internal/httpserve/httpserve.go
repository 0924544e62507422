// Package httpserve runs an adapter's HTTP server for the life of a
// function process: serve until the context ends or SIGINT/SIGTERM arrives,
// then drain the requests in flight. It bounds what clients can hold (see
// Limits): read, write and idle timeouts, and room for new connections
// under a flood of idle ones. At the drain deadline it cancels the contexts
// of the requests still running, so that their functions stop and the
// platform sees a failure it retries. The local, Azure and Google adapters
// share it.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Options configures Serve.
type Options struct {
	// Limits bound requests and connections; zero fields take the package
	// defaults.
	Limits
	// ShutdownTimeout bounds the drain after a signal; 0 means 10 s. The
	// contexts of requests still running are cancelled CancelGrace before
	// it ends, and their connections are closed when it ends.
	ShutdownTimeout time.Duration
	// Name prefixes errors ("local", "azure", "gcp").
	Name string
	// Attrs are logged with the "serving" line (functions, target, ...).
	Attrs []any
}

// ErrDraining is the cause (context.Cause) of the cancellation of requests
// still running at the drain deadline.
var ErrDraining = errors.New("the server is shutting down: the drain deadline has passed")

// CancelGrace returns how long before the end of a drain of d the requests
// still running are cancelled, so that they can answer: a fifth of d, at
// most 2 s.
func CancelGrace(d time.Duration) time.Duration { return min(d/5, 2*time.Second) }

// Serve serves h on ln until ctx is done or the process gets SIGINT or
// SIGTERM, then shuts the server down, letting requests in flight finish
// within the shutdown timeout: CancelGrace before it ends, it cancels their
// contexts (with cause ErrDraining), and at its end it closes their
// connections and returns an error. It logs "serving", "shutting down" and
// "stopped" to log, and closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, o Options) error {
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	l := o.Limits.withDefaults()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	base, cancelRequests := context.WithCancelCause(context.Background())
	defer cancelRequests(nil)
	cs := newConns(l.MaxConns, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		ConnState:         cs.state,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", append([]any{"addr", ln.Addr().String(),
		"read_timeout", l.ReadTimeout.String(), "write_timeout", l.WriteTimeout.String(),
		"idle_timeout", l.IdleTimeout.String(), "max_conns", l.MaxConns}, o.Attrs...)...)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight", "timeout", o.ShutdownTimeout.String())
	grace := CancelGrace(o.ShutdownTimeout)
	if err := shutdown(srv, o.ShutdownTimeout-grace); err != nil {
		log.Warn("drain deadline reached: cancelling the requests still running", "requests", cs.active())
		cancelRequests(ErrDraining)
		if err := shutdown(srv, grace); err != nil {
			n := cs.active()
			_ = srv.Close()
			return fmt.Errorf("%s: shutdown: %d requests still running %s after their cancellation were cut", o.Name, n, grace)
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// shutdown runs srv.Shutdown for at most d.
func shutdown(srv *http.Server, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return srv.Shutdown(ctx)
}
