package main

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/gcp/gcloud"
)

// gcpSourceTags are the build tags a GCP source deploy must build with (see
// gcloud.SourceTags).
const gcpSourceTags = gcloud.SourceTags

// buildGCP writes a source bundle the Go functions buildpack deploys: the
// module of pkg, with pkg's main package copied to the module root as an
// importable package whose init runs it, and a Dockerfile for the Cloud Run
// container path.
func buildGCP(ctx context.Context, e *env, app *core.App, pkg, dir string) (string, error) {
	goBin, err := goTool()
	if err != nil {
		return "", err
	}
	info, err := exec.CommandContext(ctx, goBin, "list", "-f", "{{.Dir}}\t{{.ImportPath}}\t{{.Name}}\t{{.Module.Dir}}\t{{.Module.Path}}", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w", pkg, err)
	}
	parts := strings.Split(strings.TrimSpace(string(info)), "\t")
	if len(parts) != 5 {
		return "", fmt.Errorf("go list %s: unexpected output %q", pkg, info)
	}
	pkgDir, importPath, name, modDir, modPath := parts[0], parts[1], parts[2], parts[3], parts[4]
	if name != "main" {
		return "", fmt.Errorf("%s is package %s, not a main package that calls adapters.Run", pkg, name)
	}
	if !strings.Contains(strings.Split(modPath, "/")[0], ".") {
		return "", fmt.Errorf("module path %q has no dot in its first element; the Go buildpack needs one (example.com/...)", modPath)
	}
	src := filepath.Join(dir, "source")
	e.progress("copying module %s into %s", modPath, src)
	if err := copyModule(modDir, src, dir); err != nil {
		return "", err
	}
	if gos, _ := filepath.Glob(filepath.Join(src, "*.go")); len(gos) > 0 {
		return "", fmt.Errorf("the module root already holds Go files (%s); a GCP source deploy needs the function package there: use the container path, or move them", filepath.Base(gos[0]))
	}
	if err := rootPackageFromMain(pkgDir, src, importPath); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "Dockerfile"), []byte(dockerfile(modDir, pkgDir)), 0o644); err != nil {
		return "", err
	}
	e.progress("checking that the bundle builds with -tags %s", gcpSourceTags)
	vet := exec.CommandContext(ctx, goBin, "build", "-tags", gcpSourceTags, "-o", os.DevNull, ".")
	vet.Dir = src
	if out, err := vet.CombinedOutput(); err != nil {
		return "", fmt.Errorf("the source bundle does not build: %v\n%s", err, out)
	}
	var entries []zipEntry
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		st, err := d.Info()
		if err != nil {
			return err
		}
		entries = append(entries, zipEntry{name: filepath.ToSlash(rel), path: p, mode: st.Mode().Perm()})
		return nil
	})
	if err != nil {
		return "", err
	}
	zipPath := filepath.Join(dir, "source.zip")
	e.progress("packing %s", zipPath)
	if err := writeZip(zipPath, entries); err != nil {
		return "", err
	}
	for _, f := range app.Functions() {
		e.progress("function %s: GOOGLE_FUNCTION_TARGET=%s", f.Name, f.Name)
	}
	return zipPath, nil
}

// copyModule copies the module at from to to, without version control data,
// build output (skip, when it is inside the module) or test files.
func copyModule(from, to, skip string) error {
	skipAbs, _ := filepath.Abs(skip)
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if abs, _ := filepath.Abs(p); abs == skipAbs {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(from, p)
		base := d.Name()
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "dist" || base == "node_modules") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, ".") || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
}

// rootPackageFromMain writes the non-test files of the main package in
// pkgDir to root as package function, with main renamed polyfnMain and an
// init that calls it.
func rootPackageFromMain(pkgDir, root, importPath string) error {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(pkgDir, "*.go"))
	if err != nil {
		return err
	}
	found := false
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		f.Name.Name = "function"
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
				fd.Name.Name = "polyfnMain"
				found = true
			}
		}
		var buf bytes.Buffer
		if err := format.Node(&buf, fset, f); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, "polyfn_"+filepath.Base(path)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("%s has no func main", importPath)
	}
	gen := fmt.Sprintf(`// Code generated by polyfn build; DO NOT EDIT.

// Package function is %s as an importable package, for the Go functions
// buildpack: its init runs the program's main, whose adapters.Run registers
// the App's functions with functions-framework-go when built with
// -tags %s, and returns.
package function

// The buildpack picks its declarative template (register in init, then
// serve) when the package imports functions-framework-go's functions.
import _ "github.com/GoogleCloudPlatform/functions-framework-go/functions"

func init() { polyfnMain() }
`, importPath, gcpSourceTags)
	return os.WriteFile(filepath.Join(root, "polyfn_init.go"), []byte(gen), 0o644)
}

// dockerfile returns the Cloud Run container build of the package.
func dockerfile(modDir, pkgDir string) string {
	rel, _ := filepath.Rel(modDir, pkgDir)
	return fmt.Sprintf(`# Cloud Run container path: gcloud run deploy SERVICE --source .
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -tags polyfn.gcp -trimpath -ldflags="-s -w" -o /fn ./%s

FROM gcr.io/distroless/static-debian12
COPY --from=build /fn /fn
ENTRYPOINT ["/fn"]
`, filepath.ToSlash(rel))
}

// buildpackMain is, in essence, the main the Go functions buildpack
// generates for a package that registers its functions in init: import the
// package, then serve with functions-framework-go on $PORT.
const buildpackMain = `package main

import (
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	_ "%s"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if err := funcframework.Start(port); err != nil {
		panic(err)
	}
}
`

// buildGCFServer builds pkg as Cloud Functions runs a source deploy: the
// source bundle of buildGCP plus the buildpack's main, compiled with the
// source-deploy tags. The binary serves FUNCTION_TARGET on PORT with
// functions-framework-go's own server.
func buildGCFServer(ctx context.Context, e *env, app *core.App, pkg, dir string) (string, error) {
	if _, err := buildGCP(ctx, e, app, pkg, dir); err != nil {
		return "", err
	}
	src := filepath.Join(dir, "source")
	list := exec.CommandContext(ctx, "go", "list", "-m")
	list.Dir = src
	modPath, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m: %w", err)
	}
	mainDir := filepath.Join(src, "functions.local", "app")
	if err := os.MkdirAll(mainDir, 0o755); err != nil {
		return "", err
	}
	gen := fmt.Sprintf(buildpackMain, strings.TrimSpace(string(modPath)))
	if err := os.WriteFile(filepath.Join(mainDir, "main.go"), []byte(gen), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "gcf-server")
	e.progress("building the buildpack's main with -tags %s", gcpSourceTags)
	build := exec.CommandContext(ctx, "go", "build", "-tags", gcpSourceTags, "-o", bin, "./functions.local/app")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the functions-framework server: %v\n%s", err, out)
	}
	return bin, nil
}
