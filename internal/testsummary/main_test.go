package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/internal/golden"
)

// TestRecordedStream summarizes a recorded `go test -json` run of a small
// module whose packages pass, skip, fail directly and in nested subtests,
// panic, time out and do not build.
func TestRecordedStream(t *testing.T) {
	in, err := os.ReadFile("testdata/stream.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ok, err := summarize(bytes.NewReader(in), &out)
	if err != nil || ok {
		t.Fatalf("summarize = %v, %v; want a failed run", ok, err)
	}
	golden.Check(t, "testdata/stream.golden", out.Bytes())
	for _, want := range []string{
		"fails_test.go:27: two: got 2, want 3",          // a failing subtest
		"fails_test.go:23: deep subtest failed",         // a failing subtest of a subtest
		"fails_test.go:7: got 1, want 2",                // a failing test
		"broken/broken.go:3:23: undefined: x",           // a package that does not build
		"TestHangs (did not finish)",                    // a test killed by the timeout
		"panic: assignment to entry in nil map",         // a panic
		"skip example.com/demo/ok TestSkipped: ok_test", // a skip, with its reason
		"\n5 passed, 7 failed, 1 skipped\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
	for _, unwanted := range []string{"failure output: example.com/demo/fails TestTable\n", "failure output: example.com/demo/fails package"} {
		if strings.Contains(out.String(), unwanted) {
			t.Errorf("the summary shows output that holds only go test's framing: %q", unwanted)
		}
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name     string
		stream   string
		ok       bool
		want     string // the summary's last line
		contains string // a line the summary must show
	}{
		{"all pass", `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Elapsed":0.1}
`, true, "1 passed, 0 failed, 0 skipped", "pass p (0.1s)"},
		{"a package fails without a failing test", `{"Action":"output","Package":"p","Output":"TestMain: no database\n"}
{"Action":"fail","Package":"p","Elapsed":0.1}
`, false, "0 passed, 0 failed, 0 skipped", "TestMain: no database"},
		{"plain text passes through", "go: downloading example.com/x v1.0.0\n", true, "0 passed, 0 failed, 0 skipped", "go: downloading example.com/x v1.0.0"},
		{"empty", "", true, "0 passed, 0 failed, 0 skipped", "0 passed, 0 failed, 0 skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			ok, err := summarize(strings.NewReader(tt.stream), &out)
			if err != nil || ok != tt.ok {
				t.Fatalf("summarize = %v, %v; want %v", ok, err, tt.ok)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("last line %q, want %q\n%s", got, tt.want, out.String())
			}
			if !strings.Contains(out.String(), tt.contains+"\n") {
				t.Errorf("the summary lacks %q:\n%s", tt.contains, out.String())
			}
		})
	}
}
