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
