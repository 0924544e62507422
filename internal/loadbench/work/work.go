// Package work holds what the load benchmark's server programs share, polyfn
// or bare: the order they decode, the reply they answer, and a plain
// net/http server with the same settings as the adapters' (for the bare
// programs), stopped by SIGTERM. Every program honours LOADBENCH_CPUPROFILE
// (see Profile).
package work

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// Order is the JSON order every benchmark function decodes (about 100 bytes
// on the wire).
type Order struct {
	Order    string  `json:"order"`
	Items    []Item  `json:"items"`
	Total    float64 `json:"total"`
	Currency string  `json:"currency"`
}

// Item is one line of an Order.
type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Reply is the data of the reply event the local programs answer.
var Reply = []byte(`{"status":"accepted"}`)

// MaxBodyBytes is the body limit of the bare programs: the adapters'
// default (10 MiB).
const MaxBodyBytes = 10 << 20

// EnvCPUProfile names the environment variable that, when set, makes a
// program write a CPU profile of its whole run to that file (see Profile).
const EnvCPUProfile = "LOADBENCH_CPUPROFILE"

// Profile runs serve, under a CPU profile written to the file
// $LOADBENCH_CPUPROFILE when that is set. The profile is complete when serve
// returns, so serve must return on SIGTERM (adapters.Run and Serve do).
func Profile(serve func()) {
	path := os.Getenv(EnvCPUProfile)
	if path == "" {
		serve()
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
	serve()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// Serve serves h on 127.0.0.1 at the port the environment variable portEnv
// names, with the adapters' server settings (a 10 s ReadHeaderTimeout),
// until SIGTERM or SIGINT, under Profile. It exits the process with status 1
// on an error.
func Serve(portEnv string, h http.Handler) {
	Profile(func() {
		if err := serve(portEnv, h); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
	})
}

func serve(portEnv string, h http.Handler) error {
	port := os.Getenv(portEnv)
	if port == "" {
		return fmt.Errorf("%s is not set", portEnv)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// CheckAdapter exits the process with a clear message when a polyfn
// program was built for another adapter than want (got is adapters.Name).
func CheckAdapter(got, want string) {
	if got != want {
		tag := map[string]string{"azure": "-tags polyfn.azure", "gcp": "-tags polyfn.gcp", "local": "no polyfn.* tag"}[want]
		fmt.Fprintf(os.Stderr, "loadbench: this program measures the %s adapter but was built for %s: build it with %s\n", want, got, tag)
		os.Exit(2)
	}
}
