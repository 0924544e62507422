package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records failures instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "x.golden")
	*update = true
	Check(t, path, []byte("one\n"))
	*update = false
	if b, err := os.ReadFile(path); err != nil || string(b) != "one\n" {
		t.Fatalf("-update wrote %q, %v", b, err)
	}
	ok := &fakeT{TB: t}
	Check(ok, path, []byte("one\n"))
	differs := &fakeT{TB: t}
	Check(differs, path, []byte("two\n"))
	missing := &fakeT{TB: t}
	CheckJSON(missing, filepath.Join(dir, "none.json"), map[string]int{"a": 1})
	if ok.failed || !differs.failed || !missing.failed {
		t.Fatalf("same: failed=%v; different: failed=%v; missing: failed=%v", ok.failed, differs.failed, missing.failed)
	}
}
