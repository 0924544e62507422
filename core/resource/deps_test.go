package resource_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The cloud SDKs of the resource drivers.
var sdks = map[string][]string{
	"aws":    {"github.com/aws/aws-sdk-go-v2/service/sns", "github.com/aws/aws-sdk-go-v2/service/sqs", "github.com/aws/aws-sdk-go-v2/service/s3"},
	"azure":  {"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus", "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"},
	"google": {"cloud.google.com/go/pubsub/apiv1", "cloud.google.com/go/storage", "cloud.google.com/go/firestore/apiv1"},
}

// TestLinkedPerBuild: a program that uses resources (examples/shop) links
// its adapter's cloud's drivers and no other cloud's; the local build
// links none (memory and files); a program that does not import package
// resource (examples/hello) links none of the Go CDK.
func TestLinkedPerBuild(t *testing.T) {
	for _, tc := range []struct {
		tags  string
		cloud string // "" for none
	}{{"", ""}, {"polyfn.aws,lambda.norpc", "aws"}, {"polyfn.azure", "azure"}, {"polyfn.gcp", "google"}, {"polyfn.gcpsource", "google"}, {"polyfn.describe", ""}} {
		t.Run("tags="+tc.tags, func(t *testing.T) {
			deps := list(t, tc.tags, "../../examples/shop")
			for cloud, pkgs := range sdks {
				for _, p := range pkgs {
					if deps[p] != (cloud == tc.cloud) {
						t.Errorf("examples/shop with tags %q links %s: %v, want %v", tc.tags, p, deps[p], cloud == tc.cloud)
					}
				}
			}
			for d := range list(t, tc.tags, "../../examples/hello") {
				if strings.HasPrefix(d, "gocloud.dev/") || d == "github.com/polyfn/polyfn/core/resource" {
					t.Errorf("examples/hello with tags %q links %s", tc.tags, d)
				}
			}
		})
	}
}

func list(t *testing.T, tags, pkg string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-tags", tags, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	m := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		m[d] = true
	}
	return m
}
