package main

import (
	"archive/zip"
	"context"
	"debug/elf"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/testproc"
)

// zipContents returns the entries of a zip with their modes.
func zipContents(t *testing.T, path string) map[string]*zip.File {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	out := map[string]*zip.File{}
	for _, f := range zr.File {
		out[f.Name] = f
	}
	return out
}

// checkELF extracts a zip entry and checks it is a Linux executable for arch.
func checkELF(t *testing.T, f *zip.File, machine elf.Machine) {
	t.Helper()
	if f.Mode()&0o111 == 0 {
		t.Errorf("%s: mode %v has no executable bit", f.Name, f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tmp := filepath.Join(t.TempDir(), "bin")
	out, _ := os.Create(tmp)
	if _, err := io.Copy(out, rc); err != nil {
		t.Fatal(err)
	}
	out.Close()
	ef, err := elf.Open(tmp)
	if err != nil {
		t.Fatalf("%s is not an ELF binary: %v", f.Name, err)
	}
	defer ef.Close()
	if ef.Machine != machine || ef.OSABI != elf.ELFOSABI_NONE && ef.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("%s: machine %v, want %v", f.Name, ef.Machine, machine)
	}
}

func TestBuildAWS(t *testing.T) {
	for _, tt := range []struct {
		arch    string
		machine elf.Machine
	}{{"arm64", elf.EM_AARCH64}, {"amd64", elf.EM_X86_64}} {
		t.Run(tt.arch, func(t *testing.T) {
			out := t.TempDir()
			t.Setenv("SHOP_API_KEY", "") // building needs no setting
			code, stdout, stderr := runCLI(t, "build", "--provider", "aws", "--arch", tt.arch, "--out", out, "../../examples/shop")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			zipPath := strings.TrimSpace(stdout)
			if zipPath != filepath.Join(out, "aws", "function.zip") {
				t.Fatalf("artifact %q", zipPath)
			}
			files := zipContents(t, zipPath)
			if len(files) != 1 || files["bootstrap"] == nil {
				t.Fatalf("zip entries %v, want bootstrap alone", files)
			}
			checkELF(t, files["bootstrap"], tt.machine)
		})
	}
}

func TestBuildAzure(t *testing.T) {
	out := t.TempDir()
	t.Setenv("SHOP_API_KEY", "") // building needs no setting
	code, stdout, stderr := runCLI(t, "build", "--provider", "azure", "--out", out, "../../examples/shop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files := zipContents(t, strings.TrimSpace(stdout))
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	want := "api/function.json fulfil/function.json handler host.json inventory/function.json nightly-report/function.json notify-customer/function.json update-analytics/function.json"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("zip entries:\n%s\nwant\n%s", got, want)
	}
	if got := dirNames(t, filepath.Join(out, "azure")); got != "app app.zip appsettings.json configure.sh resources.bicep" {
		t.Errorf("dist/azure holds %s, want the app, its zip, and the settings with their script beside them", got)
	}
	checkELF(t, files["handler"], elf.EM_X86_64)
	if files["host.json"].Mode()&0o111 != 0 {
		t.Errorf("host.json is executable")
	}
}

// TestBuildGCP builds the source bundle, then does what the Go functions
// buildpack does with it: a main that imports the root package and starts
// functions-framework-go with FUNCTION_TARGET.
func TestBuildGCP(t *testing.T) {
	out := t.TempDir()
	t.Setenv("SHOP_API_KEY", "") // building needs no setting
	code, stdout, stderr := runCLI(t, "build", "--provider", "gcp", "--out", out, "../../examples/shop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files := zipContents(t, strings.TrimSpace(stdout))
	for _, want := range []string{"go.mod", "go.sum", "function.go", "app/go.mod", "app/examples/shop/main.go", "app/examples/shop/polyfn_main.go", "app/examples/shop/shop/shop.go"} {
		if files[want] == nil {
			t.Errorf("bundle lacks %s", want)
		}
	}
	for name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".git/") || strings.Contains(name, "testdata/") || strings.HasPrefix(name, "functions.local/") {
			t.Errorf("bundle holds %s", name)
		}
	}

	// What the Go buildpack does with the bundle: its main, importing the
	// root package, served by functions-framework-go.
	var e env
	e.progress = func(string, ...any) {}
	bin, err := buildGCFServer(context.Background(), &e, "../../examples/shop", filepath.Join(t.TempDir(), "gcp"))
	if err != nil {
		t.Fatal(err)
	}
	port := testproc.FreePort(t)
	// No cloud here: the shop's table and queue in memory, as polyfn invoke runs them.
	p := testproc.Start(t, bin, "PORT="+port, "FUNCTION_TARGET=api", "SHOP_API_KEY=k-1", "POLYFN_RESOURCES=memory")
	base := "http://127.0.0.1:" + port
	p.WaitHTTP(t, base+"/api/orders/none", 15*time.Second)
	req, _ := http.NewRequest("POST", base+"/api/orders", strings.NewReader(`{"id":"o1","items":[{"sku":"A","qty":1}]}`))
	req.Header.Set("X-Api-Key", "k-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(body), `"accepted"`) {
		t.Fatalf("POST /api/orders through the source bundle: %d %s\n%s", resp.StatusCode, body, p.Logs())
	}
}

// TestBuildOutput checks the output folder: build keeps the files
// polyfn manifest wrote beside its artifact, replaces its own, and a
// failed build leaves nothing behind.
func TestBuildOutput(t *testing.T) {
	t.Setenv("SHOP_API_KEY", "")
	out := t.TempDir()
	if code, _, stderr := runCLI(t, "manifest", "--provider", "aws", "--out", filepath.Join(out, "aws"), "../../examples/shop"); code != 0 {
		t.Fatalf("manifest: exit %d: %s", code, stderr)
	}
	for i := 0; i < 2; i++ {
		if code, _, stderr := runCLI(t, "build", "--provider", "aws", "--out", out, "../../examples/shop"); code != 0 {
			t.Fatalf("build: exit %d: %s", code, stderr)
		}
	}
	if got := dirNames(t, out); got != "aws" {
		t.Errorf("output folder holds %s, want aws", got)
	}
	if got := dirNames(t, filepath.Join(out, "aws")); got != "bootstrap function.zip template.yaml" {
		t.Errorf("dist/aws holds %s, want bootstrap function.zip template.yaml", got)
	}

	failed := t.TempDir()
	code, _, stderr := runCLI(t, "build", "--provider", "gcp", "--out", failed, "./testdata/broken")
	if code == 0 || !strings.Contains(stderr, "undefined: missing") {
		t.Fatalf("build of a broken package: exit %d: %s", code, stderr)
	}
	if got := dirNames(t, failed); got != "" && got != "gcp" {
		t.Errorf("a failed build left %s", got)
	}
	if got := dirNames(t, filepath.Join(failed, "gcp")); got != "" {
		t.Errorf("a failed build left gcp/%s", got)
	}
}

// dirNames returns the sorted names in dir, hidden ones included.
func dirNames(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}
