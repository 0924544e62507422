package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/polyfn/polyfn/adapters/cloudflare/cfbuild"
	"github.com/polyfn/polyfn/core"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

// buildCloudflare writes DIR/cloudflare: app.wasm (pkg built for
// GOOS=js GOARCH=wasm with -tags polyfn.cloudflare), the toolchain's
// wasm_exec.js, the adapter's worker.mjs, wrangler.jsonc and workerd.capnp
// (see providers/cloudflare), through a staging folder as the other
// providers' builds do. --arch and --container do not apply.
func buildCloudflare(ctx context.Context, e *env, pkg, out, arch string, container bool) error {
	if arch != "" {
		return usageError("--arch is for native builds: --provider cloudflare builds WebAssembly (GOOS=js GOARCH=wasm)")
	}
	if container {
		return usageError("--container is for --provider gcp (the Cloud Run path)")
	}
	app, _, err := loadApp(ctx, e, pkg)
	if err != nil {
		return err
	}
	files, err := cfbuild.Files(app, cloudflareOptions(pkg, nil))
	if err != nil {
		return err
	}
	dir := filepath.Join(out, "cloudflare")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(out, ".cloudflare-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	goBin, err := goTool()
	if err != nil {
		return err
	}
	e.progress("building %s for js/wasm with -tags %s", pkg, cfbuild.Tag)
	if err := cfbuild.Wasm(ctx, goBin, pkg, stage); err != nil {
		return err
	}
	if err := cfbuild.Write(stage, files); err != nil {
		return err
	}
	if err := publish(stage, dir); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, filepath.Join(dir, pcf.WasmFile))
	return nil
}

// cloudflareOptions names the Worker after pkg's folder; vars are the
// settings' values for local runs (workerd.capnp).
func cloudflareOptions(pkg string, vars map[string]string) pcf.Options {
	abs, err := filepath.Abs(pkg)
	name := filepath.Base(pkg)
	if err == nil {
		name = filepath.Base(abs)
	}
	return pcf.Options{Name: pcf.WorkerName(name), Vars: vars}
}

// cloudflareManifests returns wrangler.jsonc and workerd.capnp for
// polyfn manifest --provider cloudflare.
func cloudflareManifests(app *core.App, pkg string) (map[string][]byte, []string, error) {
	files, err := cfbuild.Files(app, cloudflareOptions(pkg, nil))
	if err != nil {
		return nil, nil, err
	}
	delete(files, pcf.ShimFile)
	return files, []string{pcf.WranglerFile, pcf.WorkerdFile}, nil
}
