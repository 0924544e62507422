// Package cfbuild writes the folder a polyfn App runs from on Cloudflare
// Workers and workerd: the App built with GOOS=js GOARCH=wasm, the Go
// toolchain's wasm_exec.js, the adapter's worker.mjs, and the manifests of
// providers/cloudflare. polyfn build --provider cloudflare, polyfn invoke
// and the adapter's tests share it. It runs at build time only: no
// function links it.
package cfbuild

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/core"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// Tag is the build tag of the Cloudflare adapter.
const Tag = "polyfn.cloudflare"

// DriverFile is the name DriverModule is written under.
const DriverFile = "driver.mjs"

// DriverModule is driver.mjs: a Worker that fires the App's scheduled and
// queue handlers through a service binding, on
// POST /__polyfn/scheduled and POST /__polyfn/queue, and passes other
// requests to the App (see pcf.Workerd's driver).
//
//go:embed driver.mjs
var DriverModule []byte

// KVModule is kv.mjs, the in-memory KV namespace service of
// workerd.capnp's KV bindings (pcf.KVFile).
//
//go:embed kv.mjs
var KVModule []byte

// Wasm builds pkg with goBin for GOOS=js GOARCH=wasm and the adapter's tag
// into dir/app.wasm (stripped, without local paths), and copies the
// toolchain's wasm_exec.js beside it: the two must come from one Go
// release.
func Wasm(ctx context.Context, goBin, pkg, dir string) error {
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", Tag, "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, pcf.WasmFile), pkg)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s for js/wasm: %v\n%s", pkg, err, strings.TrimSpace(string(out)))
	}
	out, err := exec.CommandContext(ctx, goBin, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	var js []byte
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} { // Go 1.24+, then older
		if js, err = os.ReadFile(filepath.Join(root, p)); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("the Go toolchain at %s has no wasm_exec.js: %w", root, err)
	}
	return os.WriteFile(filepath.Join(dir, pcf.WasmExecFile), js, 0o644)
}

// Files returns the folder's other files by name: worker.mjs,
// wrangler.jsonc and workerd.capnp.
func Files(app *core.App, o pcf.Options) (map[string][]byte, error) {
	w, err := pcf.Wrangler(app, o)
	if err != nil {
		return nil, err
	}
	c, err := pcf.Workerd(app, o, "")
	if err != nil {
		return nil, err
	}
	return withKV(map[string][]byte{pcf.ShimFile: cloudflare.WorkerModule, pcf.WranglerFile: w, pcf.WorkerdFile: c}, o), nil
}

// DriverConfigFile is the workerd configuration DriverFiles writes: the
// folder's App behind DriverModule.
const DriverConfigFile = "workerd-driver.capnp"

// DriverFiles returns what serves the folder's App behind DriverModule, by
// name: worker.mjs, driver.mjs and DriverConfigFile, whose socket "http"
// serves the driver. Run it with workerd serve --experimental.
func DriverFiles(app *core.App, o pcf.Options) (map[string][]byte, error) {
	c, err := pcf.Workerd(app, o, DriverFile)
	if err != nil {
		return nil, err
	}
	return withKV(map[string][]byte{pcf.ShimFile: cloudflare.WorkerModule, DriverFile: DriverModule, DriverConfigFile: c}, o), nil
}

// withKV adds KVModule to files when o names KV namespaces.
func withKV(files map[string][]byte, o pcf.Options) map[string][]byte {
	if len(o.KV) > 0 {
		files[pcf.KVFile] = KVModule
	}
	return files
}

// Write writes files into dir.
func Write(dir string, files map[string][]byte) error {
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WorkerdVersion is the workerd release polyfn is tested on.
const WorkerdVersion = "1.20261117.1"

// WorkerdInstall is the command that installs WorkerdVersion where
// WorkerdPath looks first.
const WorkerdInstall = `npm install --no-audit --no-fund --prefix "${XDG_CACHE_HOME:-$HOME/.cache}/polyfn/npm" workerd@` + WorkerdVersion

// WorkerdPath returns the workerd binary: the one npm installed under
// "${XDG_CACHE_HOME:-$HOME/.cache}/polyfn/npm" (WorkerdInstall), else
// workerd on PATH, else "".
func WorkerdPath() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		p := filepath.Join(cache, "polyfn", "npm", "node_modules", ".bin", "workerd")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, _ := exec.LookPath("workerd")
	return p
}
