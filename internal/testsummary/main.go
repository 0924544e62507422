// Command testsummary reads `go test -json` output on standard input, prints
// each package's result and every failing test's output, and ends with the
// line "N passed, N failed, N skipped". It exits 1 when a test or package
// failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	var passed, failed, skipped int
	output := map[string]*strings.Builder{} // package/test -> output
	var failures []string
	pkgFailed := false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var ev testEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			fmt.Println(sc.Text()) // build errors and the like come as plain text
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "output":
			b := output[key]
			if b == nil {
				b = &strings.Builder{}
				output[key] = b
			}
			b.WriteString(ev.Output)
		case "pass", "fail", "skip":
			if ev.Test == "" {
				fmt.Printf("%-4s %s (%.1fs)\n", ev.Action, ev.Package, ev.Elapsed)
				if ev.Action == "fail" {
					pkgFailed = true
					if b := output[key]; b != nil {
						failures = append(failures, b.String())
					}
				}
				continue
			}
			switch ev.Action {
			case "pass":
				passed++
			case "fail":
				failed++
				if b := output[key]; b != nil && !strings.Contains(ev.Test, "/") {
					failures = append(failures, b.String())
				}
			case "skip":
				skipped++
				if b := output[key]; b != nil {
					fmt.Printf("skip %s %s: %s", ev.Package, ev.Test, lastLine(b.String()))
				}
			}
			delete(output, key)
		}
	}
	sort.Strings(failures)
	for _, f := range failures {
		fmt.Print("\n--- failure output\n", f)
	}
	fmt.Printf("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || pkgFailed {
		os.Exit(1)
	}
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
