package gcp

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinkedPackages checks that a binary built with -tags polyfn.gcp (the
// container path) links neither functions-framework-go nor the CloudEvents
// SDK's client and HTTP protocol packages, whose init builds a zap logger.
func TestLinkedPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "polyfn.gcp", "../../examples/echo").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := "\n" + string(out)
	for _, bad := range []string{"github.com/GoogleCloudPlatform/", "cloud.google.com/", "go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol"} {
		if strings.Contains(deps, "\n"+bad) {
			t.Errorf("examples/echo built with -tags polyfn.gcp links %s", bad)
		}
	}
	for _, want := range []string{"github.com/polyfn/polyfn/adapters/gcp\n", "github.com/cloudevents/sdk-go/v2/event\n"} {
		if !strings.Contains(deps, "\n"+want) {
			t.Errorf("the build lacks %s", want)
		}
	}
}
