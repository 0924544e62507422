package cfbuild_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/cloudflare"
	"github.com/polyfn/polyfn/adapters/cloudflare/cfbuild"
	"github.com/polyfn/polyfn/core"
	pcf "github.com/polyfn/polyfn/providers/cloudflare"
)

func TestFiles(t *testing.T) {
	tests := []struct {
		name  string
		files func(*core.App, pcf.Options) (map[string][]byte, error)
		o     pcf.Options
		want  []string
	}{
		{"folder", cfbuild.Files, pcf.Options{Name: "w"}, []string{pcf.ShimFile, pcf.WorkerdFile, pcf.WranglerFile}},
		{"folder with KV", cfbuild.Files, pcf.Options{Name: "w", KV: []string{"CACHE"}}, []string{pcf.KVFile, pcf.ShimFile, pcf.WorkerdFile, pcf.WranglerFile}},
		{"driver", cfbuild.DriverFiles, pcf.Options{Name: "w"}, []string{cfbuild.DriverFile, pcf.ShimFile, cfbuild.DriverConfigFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := tt.files(core.NewApp(), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for n := range files {
				names = append(names, n)
			}
			slices.Sort(names)
			slices.Sort(tt.want)
			if !slices.Equal(names, tt.want) {
				t.Errorf("files %v, want %v", names, tt.want)
			}
			if !bytes.Equal(files[pcf.ShimFile], cloudflare.WorkerModule) {
				t.Error("worker.mjs is not the adapter's shim")
			}
		})
	}
	if _, err := cfbuild.Files(core.NewApp(), pcf.Options{Name: "Bad Name"}); err == nil {
		t.Error("a bad worker name: no error")
	}
}

// TestWasm builds a package for js/wasm and checks the two files it writes;
// a package that does not build fails with go build's message.
func TestWasm(t *testing.T) {
	dir := t.TempDir()
	if err := cfbuild.Wasm(context.Background(), "go", "../testdata/edgeapp", dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{pcf.WasmFile, pcf.WasmExecFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %d bytes, %v", f, len(b), err)
		}
	}
	err := cfbuild.Wasm(context.Background(), "go", "./no/such/package", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "go build ./no/such/package for js/wasm") {
		t.Errorf("error %v, want go build's failure", err)
	}
}
