package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// A module tree is what a self-contained bundle copies of a program: the
// main package's module and every module a local replace directive points
// to, each reduced to the sources of the packages the program builds (for
// every tag set asked) and the files they embed, plus go.mod and go.sum.
// Modules from the module cache are not copied: the go command fetches
// them by version where the bundle is built.
type moduleTree struct {
	main    goPackage         // the main package
	goMod   goModFile         // the main module's go.mod
	modules []*localModule    // the main module first, then the replaced ones
	byPath  map[string]string // module path → its folder in the bundle
}

// A localModule is a module copied into the bundle.
type localModule struct {
	path  string          // module path
	dir   string          // its folder on this machine
	dest  string          // its folder in the bundle, slash-separated
	files map[string]bool // files to copy, relative to dir
}

// goPackage is the part of go list -json that the bundle needs.
type goPackage struct {
	Dir, ImportPath, Name string
	Standard              bool
	Module                *struct {
		Path, Dir string
		Main      bool
		Replace   *struct{ Path, Version string }
	}
	GoFiles, CgoFiles, IgnoredGoFiles, SFiles, HFiles, CFiles, CXXFiles, SysoFiles, EmbedFiles []string
}

// goModFile is go mod edit -json's view of a go.mod.
type goModFile struct {
	Module    struct{ Path string }
	Go        string
	Toolchain string
	Require   []struct {
		Path, Version string
		Indirect      bool
	}
	Exclude []struct{ Path, Version string }
	Replace []struct {
		Old, New struct{ Path, Version string }
	}
}

// listModuleTree lists what a bundle of pkg needs, for linux/amd64 (where
// Google builds) and each set of build tags.
func listModuleTree(ctx context.Context, goBin, pkg string, tags ...string) (*moduleTree, error) {
	t := &moduleTree{byPath: map[string]string{}}
	mods := map[string]*localModule{}
	for _, tag := range tags {
		cmd := exec.CommandContext(ctx, goBin, "list", "-deps", "-json", "-tags", tag, pkg)
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go list %s: %v\n%s", pkg, err, strings.TrimSpace(stderr.String()))
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		var last goPackage
		for {
			var p goPackage
			if err := dec.Decode(&p); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("go list %s: %w", pkg, err)
			}
			last = p
			if p.Standard || p.Module == nil || !p.Module.Main && (p.Module.Replace == nil || p.Module.Replace.Version != "") {
				continue // from the standard library or the module cache
			}
			m := mods[p.Module.Path]
			if m == nil {
				m = &localModule{path: p.Module.Path, dir: p.Module.Dir, files: map[string]bool{}}
				mods[m.path] = m
			}
			rel, err := filepath.Rel(m.dir, p.Dir)
			if err != nil {
				return nil, err
			}
			for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.IgnoredGoFiles, p.SFiles, p.HFiles, p.CFiles, p.CXXFiles, p.SysoFiles, p.EmbedFiles} {
				for _, f := range list {
					m.files[filepath.Join(rel, f)] = true
				}
			}
		}
		t.main = last // go list -deps lists the package itself last
	}
	if t.main.Name != "main" {
		return nil, fmt.Errorf("%s is package %s, not a main package that calls adapters.Run", pkg, t.main.Name)
	}
	if t.main.Module == nil || !t.main.Module.Main {
		return nil, fmt.Errorf("%s is not in the current module: run polyfn from the module that holds it", pkg)
	}
	main := mods[t.main.Module.Path]
	if err := readGoMod(ctx, goBin, main.dir, &t.goMod); err != nil {
		return nil, err
	}
	main.dest = "app"
	t.modules = append(t.modules, main)
	t.byPath[main.path] = main.dest
	// Every local replacement gets a folder, with at least its go.mod,
	// since the go command reads it to select versions.
	used := map[string]bool{"app": true}
	for _, r := range t.goMod.Replace {
		if r.New.Version != "" || t.byPath[r.Old.Path] != "" {
			continue
		}
		m := mods[r.Old.Path]
		if m == nil {
			dir := r.New.Path
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(main.dir, dir)
			}
			m = &localModule{path: r.Old.Path, dir: dir, files: map[string]bool{}}
		}
		base, dest := path.Base(m.path), ""
		for i := 1; dest == "" || used[dest]; i++ {
			dest = "deps/" + base
			if i > 1 {
				dest = fmt.Sprintf("deps/%s-%d", base, i)
			}
		}
		used[dest], m.dest = true, dest
		t.modules = append(t.modules, m)
		t.byPath[m.path] = dest
	}
	return t, nil
}

// copyProgram copies the module tree of pkg, as built with tags, into dst
// (the main module under app/, local replacements under deps/) and
// returns the go command, the tree and the main package's folder in its
// module (slash-separated, "." for the module root).
func copyProgram(ctx context.Context, e *env, pkg, dst, tags string) (string, *moduleTree, string, error) {
	goBin, err := goTool()
	if err != nil {
		return "", nil, "", err
	}
	t, err := listModuleTree(ctx, goBin, pkg, tags)
	if err != nil {
		return "", nil, "", err
	}
	e.progress("copying the sources of %s", pkg)
	if err := t.copyTo(dst); err != nil {
		return "", nil, "", err
	}
	if err := t.rewriteMainGoMod(ctx, goBin, dst); err != nil {
		return "", nil, "", err
	}
	rel, err := filepath.Rel(t.modules[0].dir, t.main.Dir)
	return goBin, t, filepath.ToSlash(rel), err
}

// readGoMod reads the go.mod of the module in dir.
func readGoMod(ctx context.Context, goBin, dir string, into *goModFile) error {
	cmd := exec.CommandContext(ctx, goBin, "mod", "edit", "-json", filepath.Join(dir, "go.mod"))
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("reading %s: %v", filepath.Join(dir, "go.mod"), err)
	}
	return json.Unmarshal(out, into)
}

// copyTo copies every module of t under root: go.mod, go.sum and the
// listed files, nothing else (no tests, no build output, no version
// control data).
func (t *moduleTree) copyTo(root string) error {
	for _, m := range t.modules {
		names := []string{"go.mod", "go.sum"}
		for f := range m.files {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, name := range names {
			b, err := os.ReadFile(filepath.Join(m.dir, name))
			if os.IsNotExist(err) && name == "go.sum" {
				continue
			}
			if err != nil {
				return err
			}
			dst := filepath.Join(root, filepath.FromSlash(m.dest), name)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// replaceLines returns the replace directives of the main module's go.mod
// for a go.mod in the bundle folder from (slash-separated, "." for the
// root): local replacements point to their copies, the others are kept.
func (t *moduleTree) replaceLines(from string) []string {
	var lines []string
	for _, r := range t.goMod.Replace {
		old := r.Old.Path
		if r.Old.Version != "" {
			old += " " + r.Old.Version
		}
		target := r.New.Path + " " + r.New.Version
		if r.New.Version == "" {
			target = relSlash(from, t.byPath[r.Old.Path])
		}
		lines = append(lines, "replace "+old+" => "+strings.TrimSpace(target))
	}
	return lines
}

// relSlash returns the ./ or ../ path of the bundle folder to, seen from
// the bundle folder from.
func relSlash(from, to string) string {
	rel, _ := filepath.Rel(filepath.FromSlash(from), filepath.FromSlash(to))
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel
}

// rewriteMainGoMod points the local replace directives of the copied main
// module's go.mod to their copies, so that no path of this machine stays.
func (t *moduleTree) rewriteMainGoMod(ctx context.Context, goBin, root string) error {
	args := []string{"mod", "edit"}
	for _, r := range t.goMod.Replace {
		if r.New.Version != "" {
			continue
		}
		old := r.Old.Path
		if r.Old.Version != "" {
			old += "@" + r.Old.Version
		}
		args = append(args, "-replace="+old+"="+relSlash("app", t.byPath[r.Old.Path]))
	}
	if len(args) == 2 {
		return nil
	}
	args = append(args, filepath.Join(root, "app", "go.mod"))
	if out, err := exec.CommandContext(ctx, goBin, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("go mod edit: %v\n%s", err, out)
	}
	return nil
}

// sums returns the lines of every copied module's go.sum, sorted and
// without duplicates.
func (t *moduleTree) sums() []byte {
	seen := map[string]bool{}
	for _, m := range t.modules {
		b, _ := os.ReadFile(filepath.Join(m.dir, "go.sum"))
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				seen[line] = true
			}
		}
	}
	lines := make([]string, 0, len(seen))
	for l := range seen {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return nil
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// goCheck runs the go command in dir as a fresh machine would: no
// workspace, no GOFLAGS but -mod=mod (which completes go.mod and go.sum
// from the module cache or the proxy).
func goCheck(ctx context.Context, goBin, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s in the bundle: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
