package aws

import (
	"testing"

	"github.com/polyfn/polyfn/core"
)

// TraceParent is internal/tracectx.FromXRay, whose tests hold the cases;
// RecordTraceParent reads an SQS message's AWSTraceHeader.
func TestRecordTraceParent(t *testing.T) {
	const xray = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=1:fe460cdd:0"
	const want = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
	if got, ok := TraceParent(xray); got != want || !ok {
		t.Errorf("TraceParent = %q, %v; want %q", got, ok, want)
	}
	tests := []struct {
		name, header, want string
	}{
		{"AWSTraceHeader", xray, want},
		{"no parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", ""},
		{"none", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := core.NewEvent("m-1", "/q", "com.amazonaws.sqs.message", "", nil)
			if tt.header != "" {
				e.SetExtension(ExtXRayTrace, tt.header)
			}
			if got := RecordTraceParent(e.Context); got != tt.want {
				t.Errorf("RecordTraceParent = %q, want %q", got, tt.want)
			}
		})
	}
}
