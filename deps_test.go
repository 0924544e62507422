package polyfn_test

// The module's house rules about structure, written as tests in the spirit
// of the Go tree's go/build/deps_test.go: which layer may import which,
// that the build tool links no test kit, and that no hand-written file
// grows past a size a reader can hold.

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// module is the module path; patterns below are relative to it.
const module = "github.com/polyfn/polyfn"

// layers is the import policy of the module, bottom to top: core, shared
// plumbing, providers, adapters, the build tool, and the examples that sit
// beside them. Each rule names a package pattern and everything the
// package's non-test files may import; anything else is an error. The
// first rule whose pattern matches a package applies, and a package that
// no rule matches is an error too, so a new top-level folder has to be
// placed here.
//
// Pattern syntax: a path relative to the module root, or a full import path
// outside it (its first element holds a dot); "..." at the end matches the
// rest of a path, or nothing; an element "$name" matches any one element
// and means the same element in the rule's allowed patterns; "STD" is the
// standard library; "$sdk" is the SDKs of the rule's $cloud (see sdks).
//
// Test files (_test.go) may import what their package may import, the
// rule's tests patterns, the test kits (see testKits) and testModules; the
// test kits' own files may import test kits too.
var layers = []struct {
	pkg   string
	allow []string
	tests []string // what test files may import besides allow
}{
	// Authentication, beside the contract: it answers in the runtime's
	// error shape; the JWT library only in the package that verifies JWTs,
	// so that only binaries that import it link it.
	{pkg: "core/auth/jwtauth/...", allow: []string{"STD", "core/...", "internal/...", jwtModule}},
	// OpenTelemetry: only in the package that turns it on, so that only
	// binaries that import it link it. Its tests drive real adapters and
	// read what an in-test OTLP receiver got.
	{pkg: "core/otelfn/...", allow: []string{"STD", ceEvent, "core/...", "internal/...", otelModules},
		tests: []string{"adapters/...", otelProto, protobufModule, "github.com/aws/aws-lambda-go/..."}},
	{pkg: "core/auth/...", allow: []string{"STD", "core/...", "internal/..."}},
	// The metrics API, with the EMF writer the AWS adapter starts through
	// internal/emf's hook: linked only by programs that record metrics.
	{pkg: "core/metrics/...", allow: []string{"STD", ceEvent, "core/...", "internal/..."}},
	// The Go CDK and the cloud SDKs its drivers need: only in the packages
	// that open stores and resources through it, so that only binaries that
	// import them link it. Their tests drive real adapters, decode what a
	// platform would deliver, and talk to local protocol servers.
	{pkg: "core/idempotency/docstore/...", allow: []string{"STD", "core/...", "internal/...", goCDK},
		tests: []string{awsSDK}},
	{pkg: "core/resource/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/...", goCDK, awsSDK, "github.com/Azure/azure-sdk-for-go/...", "cloud.google.com/go/..."},
		tests: []string{"adapters/...", "providers/...", "github.com/aws/aws-lambda-go/...", "google.golang.org/..."}},
	// The contract: the standard library, the CloudEvents event model and
	// the pieces of shared plumbing it is built on, among them the JSON
	// format's reader and writer (core.MarshalEvent, idempotency's records).
	{pkg: "core/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/cejson", "internal/intern", "internal/mediatype", "internal/opaque"}},

	// Programs the load benchmark builds: functions served as users serve
	// them (through adapters.Run), beside bare handlers doing the same work.
	{pkg: "internal/loadbench/servers/...", allow: []string{"STD", "core/...", "adapters", "internal/loadbench/work"}},
	// A test kit that starts dynalite and creates tables in it.
	{pkg: "internal/dynalite", allow: []string{"STD", awsSDK, "internal/npmserver"}},
	// Shared plumbing: may build on core, never on a cloud.
	{pkg: "internal/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/..."}},

	// Pure translation between one cloud's payloads and CloudEvents: its
	// own cloud's SDK types, never another cloud's provider.
	{pkg: "providers/$cloud/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/...", "providers/$cloud/...", "$sdk"}},

	// The package that picks one adapter by build tag.
	{pkg: "adapters", allow: []string{"STD", "core/...", "internal/...", "adapters/$any/..."}},
	// The conformance suite every adapter runs (a test kit).
	{pkg: "adapters/adaptertest/...", allow: []string{"STD", "core/...", "internal/..."}},
	// The test kit for users' own tests (a test kit): every provider's
	// decoding, so that what it builds is what each adapter presents. Its
	// tests check that against the adapters themselves.
	{pkg: "adapters/polyfntest/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/...", "providers/..."},
		tests: []string{"adapters/aws", "adapters/azure", "adapters/gcp", "adapters/local"}},
	// The Workers adapter serves fetch with the local adapter's handler
	// (the same HTTP binding everywhere); otherwise a cloud's adapter.
	{pkg: "adapters/cloudflare/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/...", "providers/cloudflare/...", "adapters/cloudflare/...", "adapters/local", "adapters"}},
	// The baseline of examples/shop's size and cold start: the shop written
	// by hand for Lambda alone, with what a native function doing its work
	// links, and nothing of polyfn.
	{pkg: "adapters/aws/internal/coldstart/nativeshop", allow: []string{"STD", "github.com/aws/aws-lambda-go/...", awsSDK, jwtModule, otelModules}},
	// One cloud's process and wire: its provider, its SDK, never another
	// cloud's adapter. Its test programs may start through "adapters".
	{pkg: "adapters/$cloud/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/...", "providers/$cloud/...", "adapters/$cloud/...", "adapters", "$sdk"}},

	// The build tool: anything of the module but the test kits, examples
	// and other commands.
	{pkg: "cmd/polyfn/...", allow: []string{"STD", ceEvent, ceTypes, "core/...", "internal/...", "providers/...", "adapters/...", "cmd/polyfn/..."}},

	// Programs written as users would: the public packages and their own
	// folder only.
	{pkg: "examples/$example/...", allow: []string{"STD", "github.com/cloudevents/sdk-go/v2/...", "core/...", "providers/...", "adapters/...",
		"examples/$example/...", goCDK, "github.com/aws/aws-lambda-go/...", "github.com/Azure/azure-sdk-for-go/...", "github.com/GoogleCloudPlatform/functions-framework-go/..."},
		// Their tests may read replies with the project's own codecs.
		tests: []string{"internal/..."}},
}

const (
	jwtModule = "github.com/golang-jwt/jwt/v5/..."
	// otelModules are OpenTelemetry's API, SDK and OTLP exporters.
	otelModules    = "go.opentelemetry.io/otel/..."
	otelProto      = "go.opentelemetry.io/proto/otlp/..."
	protobufModule = "google.golang.org/protobuf/..."
	ceEvent        = "github.com/cloudevents/sdk-go/v2/event"
	ceTypes        = "github.com/cloudevents/sdk-go/v2/types"
	// goCDK is the Go CDK (gocloud.dev); awsSDK the AWS SDK its AWS drivers use.
	goCDK  = "gocloud.dev/..."
	awsSDK = "github.com/aws/aws-sdk-go-v2/..."
)

// sdks are the third-party modules each cloud's provider and adapter may
// import ("$sdk" in layers). A cloud missing here has none.
var sdks = map[string][]string{
	"aws":   {"github.com/aws/aws-lambda-go/..."},
	"azure": {"github.com/Azure/azure-sdk-for-go/..."},
	// functions-framework-go speaks the CloudEvents SDK's client types.
	"gcp":   {"github.com/GoogleCloudPlatform/functions-framework-go/...", "cloud.google.com/go/...", "github.com/cloudevents/sdk-go/v2/..."},
	"local": nil,

	// Workers: no SDK; the runtime is reached through syscall/js.
	"cloudflare": nil,
}

// testKits are the packages written for tests: tests may import them,
// programs must not (see TestBuildToolLinksNoTestKit), and only they may
// import package testing outside _test.go files.
var testKits = []string{
	"adapters/adaptertest",
	"adapters/aws/awstest",
	"adapters/azure/azuretest",
	"adapters/cloudflare/cloudflaretest",
	"adapters/gcp/gcptest",
	"adapters/local/localtest",
	"adapters/polyfntest",
	"core/auth/jwtauth/jwtauthtest",
	"core/idempotency/idempotencytest",
	"internal/benchratio",
	"internal/azurite",
	"internal/dynalite",
	"internal/golden",
	"internal/npmserver",
	"internal/testproc",
}

// testModules are third-party modules that only tests use: the CloudEvents
// SDK's client and bindings, to check interoperation with the reference
// implementation, and a YAML parser, to read generated manifests back.
var testModules = []string{"github.com/cloudevents/sdk-go/v2/...", "go.yaml.in/yaml/v3/..."}

// maxLines bounds a hand-written non-test Go file.
const maxLines = 600

// goFile is one parsed Go file of the module.
type goFile struct {
	path    string // slash-separated, relative to the module root
	pkg     string // its package's path relative to the module root ("" for the root)
	test    bool
	file    *ast.File
	lines   int
	fileSet *token.FileSet
}

// moduleFiles parses the imports of every .go file of the module whatever
// its build tags, skipping testdata and folders Go ignores.
func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); p != "." && err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(p)
		pkg := path.Dir(rel)
		if pkg == "." {
			pkg = ""
		}
		files = append(files, goFile{path: rel, pkg: pkg, test: strings.HasSuffix(name, "_test.go"), file: f,
			lines: bytes.Count(src, []byte("\n")), fileSet: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("found no Go file: the test must run from the module root")
	}
	return files
}

// TestLayers checks every import of every file against layers.
func TestLayers(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if f.pkg == "" {
			continue // the module root holds only these house-rule tests
		}
		for _, imp := range f.file.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatalf("%s: %v", f.path, err)
			}
			if p == "testing" && !f.test && !isTestKit(f.pkg) {
				t.Errorf("%s imports testing outside a _test.go file: make the package a test kit (list it in testKits) or move the code to a test", f.path)
			}
			if err := checkImport(f.pkg, f.test, p); err != nil {
				pos := f.fileSet.Position(imp.Pos())
				t.Errorf("%s:%d imports %s: %v", f.path, pos.Line, p, err)
			}
		}
	}
}

// checkImport returns nil if a file of pkg (a _test.go file when test is
// set) may import imp, or an error that says why not.
func checkImport(pkg string, test bool, imp string) error {
	rule, vars, ok := layerOf(pkg, test)
	if !ok {
		return fmt.Errorf("package %s is in no layer: add a rule for it to layers in deps_test.go", pkg)
	}
	if isTestKit(imp) && (test || isTestKit(pkg)) {
		return nil
	}
	return allowed(rule, vars, imp)
}

// layerOf returns what the files of pkg may import, by the first rule
// matching pkg (with what test files may import too when test is set), and
// the values the rule's $variables took.
func layerOf(pkg string, test bool) ([]string, map[string]string, bool) {
	for _, l := range layers {
		if vars, ok := match(l.pkg, pkg, nil); ok {
			if !test {
				return l.allow, vars, true
			}
			return slices.Concat(l.allow, l.tests, testModules), vars, true
		}
	}
	return nil, nil, false
}

// allowed returns nil if a package of the rule may import imp, or an error
// saying what the package may import instead.
func allowed(rule []string, vars map[string]string, imp string) error {
	var may []string
	for _, pat := range rule {
		pats := []string{pat}
		if pat == "$sdk" {
			cloud := vars["$cloud"]
			list, ok := sdks[cloud]
			if !ok {
				return fmt.Errorf("cloud %q has no entry in sdks in deps_test.go", cloud)
			}
			pats = list
		}
		for _, pat := range pats {
			if pat == "STD" {
				if isStd(imp) {
					return nil
				}
				may = append(may, "the standard library")
				continue
			}
			full := pat
			if !isExternal(pat) {
				full = path.Join(module, pat)
			}
			if _, ok := match(full, imp, vars); ok && !(isTestKit(imp) && !isTestKit(pat)) {
				return nil
			}
			may = append(may, expand(pat, vars))
		}
	}
	why := "this layer may import only " + strings.Join(may, ", ")
	if isTestKit(imp) {
		why = "it is a test kit, for _test.go files only"
	}
	return fmt.Errorf("%s", why)
}

// match reports whether path p matches pattern pat, binding pat's
// $variables; vars already bound must match the same elements.
func match(pat, p string, vars map[string]string) (map[string]string, bool) {
	pe, xe := strings.Split(pat, "/"), strings.Split(p, "/")
	if p == "" {
		xe = nil
	}
	got := map[string]string{}
	for i, e := range pe {
		if e == "..." && i == len(pe)-1 {
			return got, true
		}
		if i >= len(xe) {
			return nil, false
		}
		switch {
		case strings.HasPrefix(e, "$"):
			if v, ok := vars[e]; ok && v != xe[i] {
				return nil, false
			}
			got[e] = xe[i]
		case e != xe[i]:
			return nil, false
		}
	}
	if len(xe) != len(pe) {
		return nil, false
	}
	return got, true
}

// expand fills a pattern's bound $variables, for messages.
func expand(pat string, vars map[string]string) string {
	for k, v := range vars {
		pat = strings.ReplaceAll(pat, k, v)
	}
	return pat
}

func isExternal(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return strings.Contains(first, ".")
}

func isStd(p string) bool { return !isExternal(p) && p != "C" }

func isTestKit(p string) bool {
	p = strings.TrimPrefix(p, module+"/")
	return slices.Contains(testKits, p)
}

// TestLayerRules checks the rules' matching on a few known cases, so that a
// mistake in the patterns cannot pass every package silently.
func TestLayerRules(t *testing.T) {
	tests := []struct {
		pkg, imp string
		test     bool // as a _test.go file
		ok       bool
	}{
		{"core", "net/http", false, true},
		{"core", ceEvent, false, true},
		{"core", "github.com/cloudevents/sdk-go/v2/client", false, false},
		{"core/driver", module + "/internal/mediatype", false, true},
		{"core", module + "/internal/invoke", false, false},
		{"core", module + "/internal/cejson", false, true},
		{"core/auth", module + "/internal/invoke", false, true},
		{"core/auth", "github.com/golang-jwt/jwt/v5", false, false},
		{"core/auth/jwtauth", "github.com/golang-jwt/jwt/v5", false, true},
		{"internal/invoke", "github.com/golang-jwt/jwt/v5", false, false},
		{"core/idempotency", "gocloud.dev/docstore", false, false},
		{"core/otelfn", "go.opentelemetry.io/otel/sdk/trace", false, true},
		{"core/otelfn", module + "/internal/invoke", false, true},
		{"core/otelfn", module + "/adapters/local", false, false},
		{"core/otelfn", module + "/adapters/local", true, true},
		{"core", "go.opentelemetry.io/otel/trace", false, false},
		{"internal/invoke", "go.opentelemetry.io/otel/trace", false, false},
		{"internal/invoke", module + "/core/driver", false, true},
		{"internal/invoke", module + "/providers/aws", false, false},
		{"internal/cejson", module + "/adapters/local", false, false},
		{"providers/aws", "github.com/aws/aws-lambda-go/events", false, true},
		{"providers/aws", "github.com/Azure/azure-sdk-for-go/sdk/azcore/messaging", false, false},
		{"providers/aws/sam", module + "/providers/aws", false, true},
		{"providers/aws", module + "/providers/azure", false, false},
		{"providers/gcp", module + "/adapters/gcp", false, false},
		{"adapters/aws", module + "/providers/aws", false, true},
		{"adapters/aws", module + "/providers/gcp", false, false},
		{"adapters/aws", module + "/adapters/azure", false, false},
		{"adapters/aws", module + "/adapters/aws/awstest", false, false},
		{"adapters/aws/internal/sigtermfn", module + "/adapters/aws", false, true},
		{"adapters/gcp/gcf", "github.com/cloudevents/sdk-go/v2/protocol/http", false, true},
		{"adapters/azure", "github.com/cloudevents/sdk-go/v2/protocol/http", false, false},
		{"adapters", module + "/adapters/azure", false, true},
		{"cmd/polyfn", module + "/providers/aws/sam", false, true},
		{"cmd/polyfn", module + "/adapters/aws/awstest", false, false},
		{"cmd/polyfn", module + "/internal/testproc", false, false},
		{"cmd/polyfn", module + "/examples/shop/shop", false, false},
		{"examples/shop", module + "/examples/shop/shop", false, true},
		{"examples/shop", module + "/examples/gcp/app", false, false},
		{"examples/shop", module + "/internal/cejson", false, false},
		{"examples/shop", module + "/cmd/polyfn", false, false},
		{"adapters/local", "github.com/cloudevents/sdk-go/v2/client", true, true},
		{"providers/aws/sam", "go.yaml.in/yaml/v3", true, true},
		{"providers/aws/sam", "go.yaml.in/yaml/v3", false, false},
		{"examples/echo", module + "/internal/cejson", true, true},
		{"core", module + "/adapters/local", true, false},
		{"adapters/aws", module + "/adapters/aws/awstest", true, true},
		{"cmd/polyfn", module + "/adapters/adaptertest", true, true},
		{"adapters/local/localtest", module + "/adapters/adaptertest", false, true},
		{"adapters/polyfntest", module + "/providers/azure", false, true},
		{"adapters/polyfntest", module + "/adapters/aws", false, false},
		{"adapters/polyfntest", module + "/adapters/aws", true, true},
		{"cmd/polyfn", module + "/adapters/polyfntest", false, false},
		{"examples/shop", module + "/adapters/polyfntest", true, true},
		{"internal/invoke", module + "/internal/golden", false, false},
		{"internal/loadbench/servers/local-polyfn", module + "/adapters", false, true},
		{"internal/loadbench", module + "/adapters", false, false},
		{"tools/x", "fmt", false, false},
	}
	for _, tt := range tests {
		if err := checkImport(tt.pkg, tt.test, tt.imp); (err == nil) != tt.ok {
			t.Errorf("%s (test file: %v) importing %s: allowed=%v (%v), want %v", tt.pkg, tt.test, tt.imp, err == nil, err, tt.ok)
		}
	}
}

// TestBuildToolLinksNoTestKit checks that the default build of cmd/polyfn
// links no test kit, nor anything that imports package testing.
func TestBuildToolLinksNoTestKit(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./cmd/polyfn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	importers := map[string][]string{} // package -> the linked packages importing it
	var deps []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		deps = append(deps, fields[0])
		for _, imp := range fields[1:] {
			importers[imp] = append(importers[imp], fields[0])
		}
	}
	if !slices.Contains(deps, module+"/cmd/polyfn") {
		t.Fatalf("go list did not list cmd/polyfn:\n%s", out)
	}
	var bad []string
	for _, d := range deps {
		if isTestKit(d) {
			bad = append(bad, fmt.Sprintf("test kit %s (imported by %s)", d, strings.Join(importers[d], ", ")))
		}
	}
	for _, imp := range importers["testing"] {
		if !isStd(imp) {
			bad = append(bad, fmt.Sprintf("%s, which imports package testing", imp))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("cmd/polyfn links %s", b)
	}
}

// TestFileSize checks that no hand-written non-test Go file is longer than
// maxLines: split it by concern, one file per trigger or step.
func TestFileSize(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if !f.test && f.lines > maxLines && !ast.IsGenerated(f.file) {
			t.Errorf("%s has %d lines, more than %d: split it by concern", f.path, f.lines, maxLines)
		}
	}
}
