package docstore_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDriversPerBuild: a program that uses the store (examples/echo) links
// the DynamoDB driver only on AWS and the local adapter, and Firestore's
// never (a program that wants it imports it), so that no binary carries
// another cloud's SDK.
func TestDriversPerBuild(t *testing.T) {
	const dynamo, firestore = "gocloud.dev/docstore/awsdynamodb/v2", "gocloud.dev/docstore/gcpfirestore"
	for _, tc := range []struct {
		tags              string
		dynamo, firestore bool
	}{
		{"", true, false}, {"polyfn.aws,lambda.norpc", true, false}, {"polyfn.azure", false, false},
		{"polyfn.gcp", false, false}, {"polyfn.gcpsource", false, false}, {"polyfn.describe", false, false},
	} {
		out, err := exec.Command("go", "list", "-deps", "-tags", tc.tags, "../../../examples/echo").CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		deps := "\n" + string(out)
		if got := strings.Contains(deps, "\n"+dynamo+"\n"); got != tc.dynamo {
			t.Errorf("tags %q: links %s: %v, want %v", tc.tags, dynamo, got, tc.dynamo)
		}
		if got := strings.Contains(deps, "\n"+firestore+"\n"); got != tc.firestore {
			t.Errorf("tags %q: links %s: %v, want %v", tc.tags, firestore, got, tc.firestore)
		}
	}
}
