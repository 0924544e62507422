package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/testproc"
)

// userMain is a user's program: main.go at its module's root, a file it
// embeds, a secret setting its start hook needs (and building must not).
const userMain = `package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

//go:embed greeting.txt
var greeting string

func main() {
	app := core.NewApp()
	core.Must(app.Setting("GREETER_TOKEN", core.Secret()))
	app.OnStart(func(ctx context.Context, cfg core.Config) error {
		if cfg.Get("GREETER_TOKEN") == "" {
			return errors.New("greeter: no token")
		}
		return nil
	})
	core.Must(app.HTTP("greet", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s, %s", strings.TrimSpace(greeting), r.URL.Query().Get("name"))
	})))
	adapters.Run(app)
}
`

// TestUserModule is what a new user does with their own module outside
// this repository: main.go at its root, an embedded file and a replace
// directive to a polyfn clone. It builds for every cloud with no setting
// in the environment; the GCP source bundle and container folder build in
// another folder once the clone's path is gone, and serve; polyfn invoke
// --provider gcp runs the module.
func TestUserModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module for every cloud")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	clone := filepath.Join(root, "clone") // the clone's path, removed below
	if err := os.Symlink(repo, clone); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(root, "greeter")
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, mod, map[string]string{
		"go.mod": "module example.com/greeter\n\ngo 1.23.0\n\nrequire github.com/polyfn/polyfn v0.0.0-00010101000000-000000000000\n\n" +
			"replace github.com/polyfn/polyfn => " + clone + "\n",
		"go.sum":       string(sum),
		"main.go":      userMain,
		"greeting.txt": "Hello from an embedded file\n",
		"main_test.go": "package main\n",
		"notes/big.md": "not a source",
	})
	goRun(t, mod, "mod", "tidy")
	chdir(t, mod)
	t.Setenv("GREETER_TOKEN", "")

	out := filepath.Join(root, "dist")
	for _, args := range [][]string{
		{"--provider", "aws"}, {"--provider", "azure"}, {"--provider", "gcp"}, {"--provider", "gcp", "--container"},
	} {
		code, stdout, stderr := runCLI(t, append(append([]string{"build"}, args...), "--out", out, ".")...)
		if code != 0 {
			t.Fatalf("build %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "invoke", "--provider", "gcp", "--function", "greet", "--path", "/?name=gcp", "--set", "GREETER_TOKEN=t", ".")
	if code != 0 || !strings.Contains(stdout, "Hello from an embedded file, gcp") {
		t.Fatalf("invoke --provider gcp: exit %d\n%s%s", code, stdout, stderr)
	}

	// Move the GCP folders elsewhere, and the clone away.
	moved := filepath.Join(root, "elsewhere")
	copyTree(t, filepath.Join(out, "gcp"), moved)
	if err := os.Remove(clone); err != nil {
		t.Fatal(err)
	}
	chdir(t, root)
	if err := os.RemoveAll(mod); err != nil {
		t.Fatal(err)
	}
	checkNoPath(t, moved, root, repo)
	if b, _ := os.ReadFile(filepath.Join(moved, "container", "Dockerfile")); bytes.Contains(b, []byte("COPY . .")) {
		t.Errorf("the Dockerfile copies the whole context:\n%s", b)
	}
	for _, name := range []string{"main_test.go", "notes/big.md"} {
		if _, err := os.Stat(filepath.Join(moved, "source", "app", name)); err == nil {
			t.Errorf("the bundle holds %s", name)
		}
	}
	goRun(t, filepath.Join(moved, "container", "app"), "build", "-tags", gcpContainerTags, "-o", os.DevNull, ".")

	// What the Go buildpack does with the moved source bundle: its main,
	// importing the root package, served by functions-framework-go.
	src := filepath.Join(moved, "source")
	writeFiles(t, src, map[string]string{"functions.local/app/main.go": fmt.Sprintf(buildpackMain, ffGo, wrapperModule)})
	bin := filepath.Join(root, "server")
	goRun(t, src, "build", "-tags", gcpSourceTags, "-o", bin, "./functions.local/app")
	port := testproc.FreePort(t)
	p := testproc.Start(t, bin, "PORT="+port, "FUNCTION_TARGET=greet", "GREETER_TOKEN=t")
	url := "http://127.0.0.1:" + port + "/?name=moved"
	p.WaitHTTP(t, url, 15*time.Second)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "Hello from an embedded file, moved" {
		t.Fatalf("the moved bundle answered %d %q\n%s", resp.StatusCode, body, p.Logs())
	}
}

// goRun runs the go command in dir as a fresh machine would: no
// workspace, -mod=mod, the module proxy as configured.
func goRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// chdir changes the working directory for the rest of the test, as a user
// runs polyfn from their module.
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(old) })
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyTree copies the files under from to to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFiles(t, to, map[string]string{filepath.ToSlash(rel): string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkNoPath fails when a file under dir names one of paths.
func checkNoPath(t *testing.T, dir string, paths ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		for _, path := range paths {
			if bytes.Contains(b, []byte(path)) {
				t.Errorf("%s names %s", p, path)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
