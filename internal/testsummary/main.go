// Command testsummary reads `go test -json` output on standard input, prints
// each package's result, the output of every failing test (subtests
// included), of every test still running when its package died (a timeout,
// a crash) and of every package that did not build, and ends with the line
// "N passed, N failed, N skipped". It exits 1 when a test or package failed.
//
//	go test -json ./... | testsummary
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	ok, err := summarize(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// testEvent is one line of `go test -json` (cmd/test2json), with the build
// events go test adds (ImportPath, build-output, build-fail).
type testEvent struct {
	Action     string
	Package    string
	Test       string
	Output     string
	Elapsed    float64
	ImportPath string
}

// failure is the output to show for one failed test or build.
type failure struct {
	pkg, title, output string
}

// summarize reads a `go test -json` stream from r and writes the summary to
// w. It reports whether every package and test passed; the error is a read
// error of r.
func summarize(r io.Reader, w io.Writer) (bool, error) {
	var passed, failed, skipped int
	output := map[string]*strings.Builder{} // package + " " + test -> output
	running := map[string][]string{}        // package -> tests started and not ended, in order
	build := map[string]*strings.Builder{}  // import path -> build output
	var failures []failure
	pkgFailed := false
	buffer := func(m map[string]*strings.Builder, key string) *strings.Builder {
		b := m[key]
		if b == nil {
			b = &strings.Builder{}
			m[key] = b
		}
		return b
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var ev testEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Action == "" {
			fmt.Fprintln(w, sc.Text()) // go vet and older toolchains' build errors come as plain text
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "build-output":
			buffer(build, ev.ImportPath).WriteString(ev.Output)
		case "build-fail":
			if b := build[ev.ImportPath]; b != nil {
				failures = append(failures, failure{pkgOf(ev.ImportPath), "build of " + ev.ImportPath, b.String()})
			}
		case "run":
			if ev.Test != "" {
				running[ev.Package] = append(running[ev.Package], ev.Test)
			}
		case "output":
			buffer(output, key).WriteString(ev.Output)
		case "pass", "fail", "skip":
			if ev.Test == "" {
				fmt.Fprintf(w, "%-4s %s (%.1fs)\n", ev.Action, ev.Package, ev.Elapsed)
				if ev.Action == "fail" {
					pkgFailed = true
					// Tests that never ended died with the package.
					for _, name := range running[ev.Package] {
						failed++
						if b := output[ev.Package+" "+name]; b != nil && !onlyFraming(b.String()) {
							failures = append(failures, failure{ev.Package, name + " (did not finish)", b.String()})
						}
					}
					if b := output[key]; b != nil && !onlyFraming(b.String()) {
						failures = append(failures, failure{ev.Package, "package", b.String()})
					}
				}
				for _, name := range running[ev.Package] {
					delete(output, ev.Package+" "+name)
				}
				delete(running, ev.Package)
				delete(output, key)
				continue
			}
			running[ev.Package] = remove(running[ev.Package], ev.Test)
			switch ev.Action {
			case "pass":
				passed++
			case "fail":
				failed++
				if b := output[key]; b != nil && !onlyFraming(b.String()) {
					failures = append(failures, failure{ev.Package, ev.Test, b.String()})
				}
			case "skip":
				skipped++
				if b := output[key]; b != nil {
					fmt.Fprintf(w, "skip %s %s: %s", ev.Package, ev.Test, lastLine(b.String()))
				}
			}
			delete(output, key)
		}
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	// Packages finish in any order; within one, keep the order of events.
	sort.SliceStable(failures, func(i, j int) bool { return failures[i].pkg < failures[j].pkg })
	for _, f := range failures {
		fmt.Fprintf(w, "\n--- failure output: %s %s\n%s", f.pkg, f.title, f.output)
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return failed == 0 && !pkgFailed, nil
}

// pkgOf returns the package of a build's import path, which names the test
// binary too: "example.com/p [example.com/p.test]".
func pkgOf(importPath string) string {
	p, _, _ := strings.Cut(importPath, " ")
	return p
}

func remove(names []string, name string) []string {
	for i, n := range names {
		if n == name {
			return append(names[:i], names[i+1:]...)
		}
	}
	return names
}

// onlyFraming reports whether a test's or a package's output holds nothing
// but the lines go test frames it with: a parent test that failed only
// through its subtests (whose output is shown on its own), a package that
// failed only through its tests.
func onlyFraming(s string) bool {
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "", l == "FAIL", l == "PASS",
			strings.HasPrefix(l, "=== RUN"), strings.HasPrefix(l, "=== PAUSE"),
			strings.HasPrefix(l, "=== CONT"), strings.HasPrefix(l, "=== NAME"),
			strings.HasPrefix(l, "--- FAIL:"), strings.HasPrefix(l, "FAIL\t"),
			strings.HasPrefix(l, "exit status "):
		default:
			return false
		}
	}
	return true
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "---") {
			return l + "\n"
		}
	}
	return "\n"
}
