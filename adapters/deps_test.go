package adapters_test

import (
	"os/exec"
	"strings"
	"testing"
)

// testKits are the module's packages written for tests; no function binary
// may link them, nor package testing.
var testKits = []string{
	"github.com/polyfn/polyfn/adapters/adaptertest",
	"github.com/polyfn/polyfn/adapters/aws/awstest",
	"github.com/polyfn/polyfn/adapters/azure/azuretest",
	"github.com/polyfn/polyfn/adapters/gcp/gcptest",
	"github.com/polyfn/polyfn/adapters/local/localtest",
	"github.com/polyfn/polyfn/internal/golden",
	"github.com/polyfn/polyfn/internal/testproc",
	"testing",
}

// TestLinkedPackages checks what a binary built for each adapter links: only
// the chosen adapter, no test kit, and no CloudEvents SDK package beyond
// event and types (the SDK's client and HTTP protocol packages build a zap
// logger at start-up).
func TestLinkedPackages(t *testing.T) {
	tests := []struct {
		tags    string
		mustNot []string
	}{
		{"", []string{"github.com/aws/aws-lambda-go", "github.com/Azure/", "github.com/GoogleCloudPlatform/",
			"github.com/polyfn/polyfn/adapters/aws", "github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/adapters/gcp",
			"go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol"}},
		{"polyfn.aws,lambda.norpc", []string{"github.com/Azure/", "github.com/GoogleCloudPlatform/",
			"github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/adapters/gcp", "github.com/polyfn/polyfn/adapters/local",
			"github.com/polyfn/polyfn/providers/aws/sam", "github.com/polyfn/polyfn/internal/yamlout",
			"go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol"}},
		{"polyfn.azure", []string{"github.com/aws/aws-lambda-go", "github.com/GoogleCloudPlatform/",
			"github.com/polyfn/polyfn/adapters/aws", "github.com/polyfn/polyfn/adapters/gcp", "github.com/polyfn/polyfn/adapters/local",
			"go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol"}},
		{"polyfn.gcp", []string{"github.com/aws/aws-lambda-go", "github.com/Azure/", "github.com/GoogleCloudPlatform/",
			"github.com/polyfn/polyfn/adapters/aws", "github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/adapters/local",
			"go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol"}},
		// A source deploy runs functions-framework-go, SDK client included.
		{"polyfn.gcpsource", []string{"github.com/aws/aws-lambda-go", "github.com/Azure/",
			"github.com/polyfn/polyfn/adapters/aws", "github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/adapters/local"}},
		{"polyfn.describe", []string{"github.com/aws/aws-lambda-go", "github.com/Azure/", "github.com/GoogleCloudPlatform/",
			"github.com/polyfn/polyfn/adapters/aws", "github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/adapters/gcp", "github.com/polyfn/polyfn/adapters/local",
			"go.uber.org/zap", "github.com/cloudevents/sdk-go/v2/client", "github.com/cloudevents/sdk-go/v2/protocol"}},
	}
	for _, tt := range tests {
		t.Run("tags="+tt.tags, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-tags", tt.tags, "../examples/echo").CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			for _, d := range deps {
				for _, bad := range tt.mustNot {
					if strings.HasPrefix(d, bad) {
						t.Errorf("examples/echo built with tags %q links %s", tt.tags, d)
					}
				}
				for _, kit := range testKits {
					if d == kit {
						t.Errorf("examples/echo built with tags %q links the test package %s", tt.tags, d)
					}
				}
			}
			if !strings.Contains(string(out), "github.com/cloudevents/sdk-go/v2/event\n") {
				t.Errorf("the CloudEvents event package is missing from the build: %s", out)
			}
		})
	}
}
