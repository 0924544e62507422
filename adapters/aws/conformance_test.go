package aws_test

import (
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
)

// TestConformance runs the adapters' conformance suite on the Lambda
// adapter, in process, with the payloads Lambda's event sources send.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, awstest.NewHarness)
}
