package main

import (
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/gcp/gcloud"
)

// Google builds from source in two ways, and polyfn build writes a
// self-contained folder for each: the copy of the program's module (and
// of every module a local replace directive points to) reduced to the
// sources the program builds and the files they embed, with go.mod files
// that name no path of this machine.
//
//   - The source bundle (dist/gcp/source, the default) is what the Go
//     functions buildpack deploys: a generated module whose root package,
//     function, wraps the program. The buildpack wants an importable
//     package at the module root; the program is a main package anywhere
//     in its module (at the root, in cmd/x), so its copy under app/ keeps
//     every file where it is (relative //go:embed patterns keep working)
//     and changes only its package clause, to polyfnapp, with a generated
//     PolyfnMain that runs main. The root package's init calls it: built
//     with -tags polyfn.gcpsource, adapters.Run registers the App's
//     functions with functions-framework-go and returns.
//   - The container folder (--container, dist/gcp/container) is the Cloud
//     Run path: the program's module unchanged under app/ and a Dockerfile
//     that builds it with -tags polyfn.gcp.
const (
	// gcpSourceTags are the build tags of a source deploy (see
	// gcloud.SourceTags).
	gcpSourceTags = gcloud.SourceTags
	// gcpContainerTags are the build tags of the Cloud Run container.
	gcpContainerTags = "polyfn.gcp"
	// wrapperModule is the module path of the source bundle's root: it
	// needs a dot in its first element, and .invalid resolves nowhere.
	wrapperModule = "polyfn.invalid/function"
	// appPackage is the package name the program's main package takes in
	// the source bundle.
	appPackage = "polyfnapp"
	// ffGo is functions-framework-go, which the buildpack's main imports.
	ffGo = "github.com/GoogleCloudPlatform/functions-framework-go"
)

// buildGCP writes the source bundle of pkg, or its container folder, into
// dir and returns the path of what to deploy: source.zip, or the container
// folder. It checks that the copy builds on its own first.
func buildGCP(ctx context.Context, e *env, app *core.App, pkg, dir string, container bool) (string, error) {
	if container {
		out := filepath.Join(dir, "container")
		if err := writeGCPContainer(ctx, e, pkg, out); err != nil {
			return "", err
		}
		return out, nil
	}
	src := filepath.Join(dir, "source")
	if err := writeGCPSource(ctx, e, pkg, src, ""); err != nil {
		return "", err
	}
	zipPath := filepath.Join(dir, "source.zip")
	e.progress("packing %s", zipPath)
	if err := zipFolder(src, zipPath); err != nil {
		return "", err
	}
	for _, f := range app.Functions() {
		e.progress("function %s: --entry-point=%s", f.Name, f.Name)
	}
	return zipPath, nil
}

// writeGCPSource writes the source bundle of pkg into dst and builds it as
// the buildpack does (its main, with -tags polyfn.gcpsource); server, when
// not empty, receives that binary, which serves FUNCTION_TARGET on PORT.
func writeGCPSource(ctx context.Context, e *env, pkg, dst, server string) error {
	goBin, t, rel, err := copyProgram(ctx, e, pkg, dst, gcpSourceTags)
	if err != nil {
		return err
	}
	appDir := filepath.Join(dst, "app", filepath.FromSlash(rel))
	if err := renamePackage(appDir, appPackage); err != nil {
		return err
	}
	files := map[string]string{
		filepath.Join(appDir, "polyfn_main.go"): fmt.Sprintf(exportMain, appPackage, gcpSourceTags),
		filepath.Join(dst, "function.go"):       fmt.Sprintf(wrapperPackage, t.main.ImportPath, gcpSourceTags, ffGo, t.main.ImportPath),
	}
	ffVersion, err := moduleVersion(ctx, goBin, ffGo)
	if err != nil {
		return err
	}
	files[filepath.Join(dst, "go.mod")] = wrapperGoMod(t, ffVersion)
	if sums := t.sums(); sums != nil {
		files[filepath.Join(dst, "go.sum")] = string(sums)
	}
	// What the buildpack adds: a main that imports the root package and
	// serves it. It is built here, then removed from the bundle.
	files[filepath.Join(dst, "functions.local", "app", "main.go")] = fmt.Sprintf(buildpackMain, ffGo, wrapperModule)
	for p, text := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	if server == "" {
		server = os.DevNull
	}
	e.progress("checking that the bundle builds on its own with -tags %s", gcpSourceTags)
	if err := goCheck(ctx, goBin, dst, "build", "-tags", gcpSourceTags, "-o", server, "./functions.local/app"); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(dst, "functions.local"))
}

// writeGCPContainer writes the Cloud Run container folder of pkg into dst
// and checks that its module builds.
func writeGCPContainer(ctx context.Context, e *env, pkg, dst string) error {
	goBin, t, rel, err := copyProgram(ctx, e, pkg, dst, gcpContainerTags)
	if err != nil {
		return err
	}
	target := "."
	if rel != "." {
		target = "./" + rel
	}
	e.progress("checking that the container's module builds on its own with -tags %s", gcpContainerTags)
	if err := goCheck(ctx, goBin, filepath.Join(dst, "app"), "build", "-tags", gcpContainerTags, "-o", os.DevNull, target); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, "Dockerfile"), []byte(dockerfile(t, target)), 0o644)
}

// moduleVersion returns the version of module path the current module
// selects.
func moduleVersion(ctx context.Context, goBin, path string) (string, error) {
	out, err := execOutput(ctx, goBin, "list", "-m", "-f", "{{.Version}}", path)
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %v\n%s", path, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// renamePackage changes the package clause of every Go file in dir to
// name, leaving each file's other bytes as they are.
func renamePackage(dir, name string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, b, parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		off := fset.Position(f.Name.Pos()).Offset
		out := append(append(append([]byte{}, b[:off]...), name...), b[off+len(f.Name.Name):]...)
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// wrapperGoMod returns the source bundle's go.mod: the program's module
// and functions-framework-go (pinned) required, with the program's
// requirements, exclusions and replacements, local ones pointing to their
// copies.
func wrapperGoMod(t *moduleTree, ffVersion string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code generated by polyfn build; DO NOT EDIT.\n\nmodule %s\n\ngo %s\n", wrapperModule, t.goMod.Go)
	if t.goMod.Toolchain != "" {
		fmt.Fprintf(&b, "\ntoolchain %s\n", t.goMod.Toolchain)
	}
	fmt.Fprintf(&b, "\nrequire (\n\t%s v0.0.0-00010101000000-000000000000\n\t%s %s\n", t.goMod.Module.Path, ffGo, ffVersion)
	for _, r := range t.goMod.Require {
		if r.Path != ffGo {
			fmt.Fprintf(&b, "\t%s %s // indirect\n", r.Path, r.Version)
		}
	}
	b.WriteString(")\n\n")
	for _, x := range t.goMod.Exclude {
		fmt.Fprintf(&b, "exclude %s %s\n", x.Path, x.Version)
	}
	fmt.Fprintf(&b, "replace %s => ./app\n", t.goMod.Module.Path)
	for _, line := range t.replaceLines(".") {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// zipFolder packs the files under dir into zipPath, keeping their modes.
func zipFolder(dir, zipPath string) error {
	var entries []zipEntry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		st, err := d.Info()
		if err != nil {
			return err
		}
		entries = append(entries, zipEntry{name: filepath.ToSlash(rel), path: p, mode: st.Mode().Perm()})
		return nil
	})
	if err != nil {
		return err
	}
	return writeZip(zipPath, entries)
}

// dockerfile returns the Cloud Run container build of the folder: the
// modules' go.mod files first, so that downloads are a cached layer, then
// the sources.
func dockerfile(t *moduleTree, target string) string {
	var deps bytes.Buffer
	if len(t.modules) > 1 {
		deps.WriteString("COPY deps/ deps/\n")
	}
	goVersion := t.goMod.Go
	if parts := strings.SplitN(goVersion, ".", 3); len(parts) == 3 {
		goVersion = parts[0] + "." + parts[1]
	}
	return fmt.Sprintf(`# Code generated by polyfn build; DO NOT EDIT.
# Cloud Run container path, from this folder: gcloud run deploy SERVICE --source .
FROM golang:%s AS build
WORKDIR /src
%sCOPY app/go.* app/
WORKDIR /src/app
RUN go mod download
COPY app/ ./
RUN CGO_ENABLED=0 go build -tags %s -trimpath -ldflags="-s -w" -o /fn %s

FROM gcr.io/distroless/static-debian12
COPY --from=build /fn /fn
ENTRYPOINT ["/fn"]
`, goVersion, deps.String(), gcpContainerTags, target)
}

// buildGCFServer builds pkg as Cloud Functions runs a source deploy: the
// source bundle plus the buildpack's main, built with the source-deploy
// tags, in dir. The binary serves FUNCTION_TARGET on PORT with
// functions-framework-go's own server.
func buildGCFServer(ctx context.Context, e *env, pkg, dir string) (string, error) {
	bin, err := filepath.Abs(filepath.Join(dir, "gcf-server"))
	if err != nil {
		return "", err
	}
	e.progress("building %s as a Cloud Functions source deploy", pkg)
	return bin, writeGCPSource(ctx, e, pkg, filepath.Join(dir, "source"), bin)
}

// exportMain is the file the source bundle adds to the program's package.
const exportMain = `// Code generated by polyfn build; DO NOT EDIT.

package %s

// PolyfnMain runs the program's main. Built with -tags %s, its
// adapters.Run registers the App's functions with functions-framework-go
// and returns.
func PolyfnMain() { main() }
`

// wrapperPackage is the root package of the source bundle.
const wrapperPackage = `// Code generated by polyfn build; DO NOT EDIT.

// Package function deploys %s to Cloud Functions: its init runs the
// program's main, whose adapters.Run registers the App's functions with
// functions-framework-go when built with -tags %s, and returns.
package function

import (
	// The buildpack picks its declarative template (register in init,
	// then serve) when the package imports functions-framework-go's
	// functions.
	_ "%s/functions"

	app %q
)

func init() { app.PolyfnMain() }
`

// buildpackMain is, in essence, the main the Go functions buildpack
// generates for a package that registers its functions in init: import the
// package, then serve with functions-framework-go on $PORT.
const buildpackMain = `package main

import (
	"os"

	"%s/funcframework"
	_ %q
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
