// Package httpserve runs an adapter's HTTP server for the life of a
// function process: serve until the context ends or SIGINT/SIGTERM arrives,
// then drain the requests in flight. The local, Azure and Google adapters
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
	// ReadHeaderTimeout bounds reading a request's headers; 0 means 10 s.
	ReadHeaderTimeout time.Duration
	// ShutdownTimeout bounds the drain after a signal; 0 means 10 s.
	ShutdownTimeout time.Duration
	// Name prefixes errors ("local", "azure", "gcp").
	Name string
	// Attrs are logged with the "serving" line (functions, target, ...).
	Attrs []any
}

// Serve serves h on ln until ctx is done or the process gets SIGINT or
// SIGTERM, then shuts the server down, letting requests in flight finish
// within the shutdown timeout. It logs "serving", "shutting down" and
// "stopped" to log, and closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, o Options) error {
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 10 * time.Second
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := &http.Server{Handler: h, ReadHeaderTimeout: o.ReadHeaderTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", append([]any{"addr", ln.Addr().String()}, o.Attrs...)...)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight", "timeout", o.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s: shutdown: %w", o.Name, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
