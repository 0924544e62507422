package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Run serves app until ctx is done or the process gets SIGINT or SIGTERM,
// then shuts down gracefully. It reads the environment once:
//
//   - PORT: the port to listen on (default 8080);
//   - POLYFN_FUNCTION: the event function served at POST / (see WithFunction);
//   - POLYFN_MAX_BODY_BYTES: the request body limit (see WithMaxBodyBytes).
//
// Options given to Run override the environment.
func Run(ctx context.Context, app *core.App, opts ...Option) error {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("local: listen on PORT %s: %w", port, err)
	}
	return Serve(ctx, ln, app, opts...)
}

// Serve is Run on a listener of the caller's: it serves app on ln until ctx
// is done or the process gets SIGINT or SIGTERM, and closes ln. It reads
// POLYFN_FUNCTION and POLYFN_MAX_BODY_BYTES as Run does.
func Serve(ctx context.Context, ln net.Listener, app *core.App, opts ...Option) error {
	var env []Option
	env = append(env, WithLogger(slog.New(slog.NewJSONHandler(os.Stdout, nil))))
	if name := os.Getenv("POLYFN_FUNCTION"); name != "" {
		env = append(env, WithFunction(name))
	}
	if v := os.Getenv("POLYFN_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			ln.Close()
			return fmt.Errorf("local: POLYFN_MAX_BODY_BYTES=%q is not a positive number of bytes", v)
		}
		env = append(env, WithMaxBodyBytes(n))
	}
	opts = append(env, opts...)
	c := newConfig(opts)
	h, err := Handler(app, opts...)
	if err != nil {
		ln.Close()
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(c.logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	c.logger.Info("serving", "addr", ln.Addr().String(), "functions", app.Names())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	c.logger.Info("shutting down: draining requests in flight", "timeout", c.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("local: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	c.logger.Info("stopped")
	return nil
}
