package azure_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestHandlerLinks checks what an Azure handler binary (examples/echo built
// with -tags polyfn.azure) links: the adapter and its provider, but not the
// function app writer, which is build-time code, nor the host simulator.
func TestHandlerLinks(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "polyfn.azure", "../../examples/echo").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := "\n" + string(out)
	for _, bad := range []string{
		"github.com/polyfn/polyfn/providers/azure/funcapp",
		"github.com/polyfn/polyfn/internal/azurehost",
		"github.com/polyfn/polyfn/adapters/azure/azuretest",
		"github.com/polyfn/polyfn/adapters/adaptertest",
		"testing",
	} {
		if strings.Contains(deps, "\n"+bad+"\n") {
			t.Errorf("the handler binary links %s", bad)
		}
	}
	for _, want := range []string{"github.com/polyfn/polyfn/adapters/azure", "github.com/polyfn/polyfn/providers/azure", "github.com/polyfn/polyfn/internal/invoke"} {
		if !strings.Contains(deps, "\n"+want+"\n") {
			t.Errorf("the handler binary does not link %s", want)
		}
	}
}
