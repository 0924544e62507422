package aws_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinkedPackages checks that a Lambda build of examples/echo links the
// aws adapter and nothing of the other clouds, the local adapter, or the
// CloudEvents SDK's client and protocol packages (whose zap logger is built
// at start-up).
func TestLinkedPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "polyfn.aws,lambda.norpc", "../../examples/echo").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := "\n" + string(out)
	for _, bad := range []string{"github.com/Azure/", "github.com/GoogleCloudPlatform/", "cloud.google.com/",
		"github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/adapters/gcp", "github.com/polyfn/polyfn/adapters/local",
		"go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol",
		"net/rpc"} {
		if strings.Contains(deps, "\n"+bad) {
			t.Errorf("examples/echo built with -tags polyfn.aws,lambda.norpc links %s", bad)
		}
	}
	for _, want := range []string{"github.com/polyfn/polyfn/adapters/aws", "github.com/aws/aws-lambda-go/lambda"} {
		if !strings.Contains(deps, "\n"+want+"\n") {
			t.Errorf("the build does not link %s", want)
		}
	}
}

// TestPeersOnlyInTests checks that the libraries the benchmarks compare
// polyfn with (aws-lambda-go-api-proxy, algnhsa) are linked by no package
// of the module, whatever the build tags: only this package's tests import
// them.
func TestPeersOnlyInTests(t *testing.T) {
	for _, tags := range []string{"", "polyfn.aws,lambda.norpc", "polyfn.describe"} {
		out, err := exec.Command("go", "list", "-deps", "-tags", tags, "github.com/polyfn/polyfn/...").CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %q: %v\n%s", tags, err, out)
		}
		for _, peer := range []string{"github.com/akrylysov/algnhsa", "github.com/awslabs/aws-lambda-go-api-proxy"} {
			if strings.Contains("\n"+string(out), "\n"+peer) {
				t.Errorf("a package of the module built with -tags %q links %s", tags, peer)
			}
		}
	}
}

// TestLinkedSymbols checks that a Lambda binary of an event function that
// records no metrics links neither the CloudEvents SDK's Event.MarshalJSON
// and UnmarshalJSON, which bring json-iterator's reflection encoders and
// decoders (about 160 KB of binary: no type that polyfn stores in an
// interface may reach core.Event through its fields or signatures, see
// internal/opaque), nor the EMF writer (about 33 KB; package core/metrics
// brings it). The binary is the one BenchmarkColdStart measures against its
// native peer.
func TestLinkedSymbols(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Lambda binary")
	}
	bin := t.TempDir() + "/bootstrap"
	build := exec.Command("go", "build", "-tags", "polyfn.aws,lambda.norpc", "-o", bin, "./internal/coldstart/polyfn")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	syms := string(out)
	if !strings.Contains(syms, "github.com/polyfn/polyfn/adapters/aws.") {
		t.Fatal("go tool nm lists no symbol of the aws adapter")
	}
	for _, m := range []string{"event.Event.MarshalJSON", "event.(*Event).UnmarshalJSON"} {
		if strings.Contains(syms, "github.com/cloudevents/sdk-go/v2/"+m) {
			t.Errorf("the Lambda binary links %s: a type stored in an interface reaches core.Event (go build -ldflags=-dumpdep shows which)", m)
		}
	}
	if strings.Contains(syms, "github.com/polyfn/polyfn/internal/emf.Append") {
		t.Error("the Lambda binary of a function that records no metrics links the EMF writer")
	}
}
