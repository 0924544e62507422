package otelfn_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A program that does not import otelfn (examples/hello) links none of
// OpenTelemetry, on every adapter; one that does links the SDK and the
// OTLP exporters. (examples/echo links the Go CDK's docstore for its
// idempotency store, and the Go CDK links OpenTelemetry's API and metric
// SDK, never the exporters.)
func TestOptInByImport(t *testing.T) {
	for _, tags := range []string{"", "polyfn.aws,lambda.norpc", "polyfn.azure", "polyfn.gcp", "polyfn.gcpsource", "polyfn.describe"} {
		t.Run("tags="+tags, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-tags", tags, "../../examples/hello").CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, d := range strings.Fields(string(out)) {
				if strings.HasPrefix(d, "go.opentelemetry.io/") || d == "github.com/polyfn/polyfn/core/otelfn" {
					t.Errorf("examples/hello built with tags %q links %s", tags, d)
				}
			}
		})
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, want := range []string{"go.opentelemetry.io/otel/sdk/trace", "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"} {
		if !strings.Contains(string(out), want+"\n") {
			t.Errorf("otelfn does not link %s", want)
		}
	}
}
