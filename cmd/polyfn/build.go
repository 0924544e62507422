package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/azure/funcapp"
)

func runBuild(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "build", "build --provider aws|azure|gcp|cloudflare [--arch arm64|amd64] [--container] [--out DIR] PKG")
	provider := fs.String("provider", "", "cloud to build for: aws, azure or gcp")
	arch := fs.String("arch", "", "CPU architecture: arm64 or amd64 (default arm64 for aws, amd64 for azure; gcp builds from source)")
	container := fs.Bool("container", false, "gcp: write the Cloud Run container folder (a Dockerfile and the sources) instead of the Cloud Functions source bundle")
	out := fs.String("out", "dist", "directory for the artifact: DIR/PROVIDER, which polyfn manifest --out may share")
	pkg, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkProvider(*provider, providers...); err != nil {
		return err
	}
	if *provider == "cloudflare" {
		return buildCloudflare(ctx, e, pkg, *out, *arch, *container)
	}
	if *arch == "" {
		*arch = map[string]string{"aws": "arm64", "azure": "amd64", "gcp": "amd64"}[*provider]
	}
	if *arch != "arm64" && *arch != "amd64" {
		return usageError(fmt.Sprintf("unknown architecture %q (want arm64 or amd64)", *arch))
	}
	if *container && *provider != "gcp" {
		return usageError("--container is for --provider gcp (the Cloud Run path)")
	}
	app, _, err := loadApp(ctx, e, pkg)
	if err != nil {
		return err
	}
	// Everything is written to a staging folder beside the output, then
	// moved into place: a failed build leaves no half-written output, and
	// files it does not write (a manifest) stay.
	dir := filepath.Join(*out, *provider)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(*out, "."+*provider+"-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	var artifact string
	switch *provider {
	case "aws":
		artifact, err = buildAWS(ctx, e, pkg, *arch, stage)
	case "azure":
		artifact, err = buildAzure(ctx, e, app, pkg, *arch, stage)
	case "gcp":
		artifact, err = buildGCP(ctx, e, app, pkg, stage, *container)
	}
	if err != nil {
		return err
	}
	if err := publish(stage, dir); err != nil {
		return err
	}
	rel, _ := filepath.Rel(stage, artifact)
	fmt.Fprintln(e.stdout, filepath.Join(dir, rel))
	return nil
}

// publish moves every entry of stage into dir, replacing the entry of the
// same name.
func publish(stage, dir string) error {
	entries, err := os.ReadDir(stage)
	if err != nil {
		return err
	}
	for _, en := range entries {
		to := filepath.Join(dir, en.Name())
		if err := os.RemoveAll(to); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(stage, en.Name()), to); err != nil {
			return err
		}
	}
	return nil
}

// goBuild cross-compiles pkg for linux/arch into bin with the given tags,
// stripped and without local paths.
func goBuild(ctx context.Context, e *env, pkg, arch, tags, bin string) error {
	goBin, err := goTool()
	if err != nil {
		return err
	}
	e.progress("building %s for linux/%s with -tags %s", pkg, arch, tags)
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", tags, "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// buildAWS writes bootstrap and function.zip for the provided.al2023 runtime.
// One binary serves every function of the App; each Lambda function picks
// its own with POLYFN_FUNCTION (the manifest sets it).
func buildAWS(ctx context.Context, e *env, pkg, arch, dir string) (string, error) {
	bin := filepath.Join(dir, "bootstrap")
	if err := goBuild(ctx, e, pkg, arch, "polyfn.aws,lambda.norpc", bin); err != nil {
		return "", err
	}
	zipPath := filepath.Join(dir, "function.zip")
	e.progress("packing %s", zipPath)
	return zipPath, writeZip(zipPath, []zipEntry{{name: "bootstrap", path: bin, mode: 0o755}})
}

// buildAzure writes a function app folder (host.json, one function.json per
// function, local.settings.json, the handler binary), its zip, and beside
// them the app settings and the script that applies them
// (funcapp.SettingsFile, funcapp.ScriptFile).
func buildAzure(ctx context.Context, e *env, app *core.App, pkg, arch, dir string) (string, error) {
	appDir := filepath.Join(dir, "app")
	files, err := funcapp.Files(app, funcapp.HostOptions{Executable: "handler"})
	if err != nil {
		return "", err
	}
	var entries []zipEntry
	for _, name := range funcapp.FileNames(files) {
		p, mode, deployed := filepath.Join(appDir, filepath.FromSlash(name)), os.FileMode(0o644), true
		switch name {
		case funcapp.SettingsFile, funcapp.ScriptFile, funcapp.ResourcesFile:
			// Deployment configuration, applied with the az CLI: beside
			// the app, not in it.
			p, deployed = filepath.Join(dir, name), false
			if name == funcapp.ScriptFile {
				mode = 0o755
			}
		case "local.settings.json": // for func start, not for the cloud
			deployed = false
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, files[name], mode); err != nil {
			return "", err
		}
		if deployed {
			entries = append(entries, zipEntry{name: name, path: p, mode: mode})
		}
	}
	bin := filepath.Join(appDir, "handler")
	if err := goBuild(ctx, e, pkg, arch, "polyfn.azure", bin); err != nil {
		return "", err
	}
	entries = append(entries, zipEntry{name: "handler", path: bin, mode: 0o755})
	zipPath := filepath.Join(dir, "app.zip")
	e.progress("packing %s", zipPath)
	return zipPath, writeZip(zipPath, entries)
}

// zipEntry is one file of an artifact.
type zipEntry struct {
	name string // path inside the zip, with forward slashes
	path string // file on disk
	mode os.FileMode
}

// writeZip writes entries to path, keeping each entry's permission bits
// (a Lambda bootstrap or an Azure handler without its executable bit does
// not start).
func writeZip(path string, entries []zipEntry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, en := range entries {
		if err := addToZip(zw, en); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func addToZip(zw *zip.Writer, en zipEntry) error {
	src, err := os.Open(en.path)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	h := &zip.FileHeader{Name: en.name, Method: zip.Deflate, Modified: st.ModTime()}
	h.SetMode(en.mode)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, src)
	return err
}
