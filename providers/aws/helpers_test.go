package aws

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/internal/golden"
)

// readFixture returns testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkGolden compares got, as indented JSON, with
// testdata/<fixture without .json>.golden.json (go test -update rewrites it).
func checkGolden(t *testing.T, fixture string, got any) {
	t.Helper()
	golden.CheckJSON(t, filepath.Join("testdata", strings.TrimSuffix(fixture, ".json")+".golden.json"), got)
}

// sniffDecode sniffs testdata/file, checks that it is of source want, and
// decodes it.
func sniffDecode(t *testing.T, file string, want Source) *Batch {
	t.Helper()
	payload := readFixture(t, file)
	src, err := Sniff(payload)
	if err != nil || src != want {
		t.Fatalf("Sniff = %v, %v; want %v", src, err, want)
	}
	b, err := Decode(src, payload)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return b
}
