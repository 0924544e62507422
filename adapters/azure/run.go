package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/polyfn/polyfn/internal/httpserve"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/azure"
)

// Run serves app as a custom handler until ctx is done or the process gets
// SIGINT or SIGTERM, then shuts down gracefully. It reads the environment
// once:
//
//   - FUNCTIONS_CUSTOMHANDLER_PORT (or the legacy FUNCTIONS_HTTPWORKER_PORT):
//     the port to listen on, on 127.0.0.1, where the host calls;
//   - FUNCTIONS_APP_ROOT_PATH (default: the working directory): the
//     function app folder, whose host.json gives functionTimeout and
//     enableForwardingHttpRequest (or enableProxyingHttpRequest), and whose
//     {name}/function.json files give the trigger bindings (see
//     WithFunctionConfigs);
//   - POLYFN_AZURE_WRITE_APP: when set, Run writes the generated host.json,
//     local.settings.json and function.json files into that folder and
//     returns without serving.
//
// Run installs a log handler as slog's default (see NewLogHandler), so that
// slog.InfoContext(ctx, ...) in a function reaches the invocation's Logs.
// Options given to Run override what it reads.
func Run(ctx context.Context, app *core.App, opts ...Option) error {
	if dir := os.Getenv("POLYFN_AZURE_WRITE_APP"); dir != "" {
		return WriteApp(dir, app, azure.HostOptions{})
	}
	port := os.Getenv("FUNCTIONS_CUSTOMHANDLER_PORT")
	if port == "" {
		port = os.Getenv("FUNCTIONS_HTTPWORKER_PORT")
	}
	if port == "" {
		return errors.New("azure: FUNCTIONS_CUSTOMHANDLER_PORT is not set: run the handler under the Functions host (func start), or build without -tags polyfn.azure to run locally")
	}
	root := os.Getenv("FUNCTIONS_APP_ROOT_PATH")
	if root == "" {
		root = "."
	}
	slog.SetDefault(slog.New(NewLogHandler(os.Stdout, os.Stderr)))
	env, err := appFolderOptions(root, app)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return fmt.Errorf("azure: listen on FUNCTIONS_CUSTOMHANDLER_PORT %s: %w", port, err)
	}
	return Serve(ctx, ln, app, append(env, opts...)...)
}

// appFolderOptions reads host.json and the function.json files of the
// function app folder, when they exist.
func appFolderOptions(root string, app *core.App) ([]Option, error) {
	var opts []Option
	if b, err := os.ReadFile(filepath.Join(root, "host.json")); err == nil {
		var h struct {
			FunctionTimeout string
			CustomHandler   struct {
				EnableForwardingHTTPRequest *bool `json:"enableForwardingHttpRequest"`
				EnableProxyingHTTPRequest   *bool `json:"enableProxyingHttpRequest"`
			}
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return nil, fmt.Errorf("azure: %s: %w", filepath.Join(root, "host.json"), err)
		}
		d, err := azure.ParseTimeSpan(h.FunctionTimeout)
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithFunctionTimeout(d))
		// Proxying (newer hosts) reaches the handler as forwarding does: raw
		// requests at their routes, only for HTTP-only functions.
		fwd, proxy := h.CustomHandler.EnableForwardingHTTPRequest, h.CustomHandler.EnableProxyingHTTPRequest
		switch {
		case proxy != nil && *proxy:
			opts = append(opts, WithForwarding(true))
		case fwd != nil:
			opts = append(opts, WithForwarding(*fwd))
		}
	}
	cfgs := map[string]azure.FunctionConfig{}
	for _, name := range app.Names() {
		b, err := os.ReadFile(filepath.Join(root, name, "function.json"))
		if err != nil {
			continue
		}
		var c azure.FunctionConfig
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("azure: %s/function.json: %w", name, err)
		}
		cfgs[name] = c
	}
	if len(cfgs) > 0 {
		opts = append(opts, WithFunctionConfigs(cfgs))
	}
	return opts, nil
}

// Serve is Run on a listener of the caller's: it serves app on ln until ctx
// is done or the process gets SIGINT or SIGTERM, and closes ln. It reads no
// environment variable and does not change slog's default.
func Serve(ctx context.Context, ln net.Listener, app *core.App, opts ...Option) error {
	opts = append([]Option{WithOutput(os.Stdout, os.Stderr)}, opts...)
	c := newConfig(opts)
	h, err := Handler(app, opts...)
	if err != nil {
		ln.Close()
		return err
	}
	log := slog.New(NewLogHandler(c.stdout, c.stderr))
	return httpserve.Serve(ctx, ln, h, log, httpserve.Options{
		ReadHeaderTimeout: 30 * time.Second, ShutdownTimeout: c.shutdownTimeout, Name: "azure", Attrs: []any{"functions", app.Names()},
	})
}

// WriteApp writes app's generated function app files (see azure.Files) into
// dir, creating folders as needed. The handler binary is not copied.
func WriteApp(dir string, app *core.App, opts azure.HostOptions) error {
	files, err := azure.Files(app, opts)
	if err != nil {
		return err
	}
	for _, name := range azure.FileNames(files) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("azure: %w", err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return fmt.Errorf("azure: %w", err)
		}
	}
	return nil
}
