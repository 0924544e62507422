package aws

import "testing"

func TestTraceParent(t *testing.T) {
	tests := []struct {
		name, xray, want string
	}{
		{"sampled", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"},
		{"not sampled, fields in another order", "Sampled=0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00"},
		{"lineage and spaces", "Root=1-5759e988-bd862e3fe1be46a994272793; Parent=53995c3f42cd8ad8; Sampled=1; Lineage=a87bd80c:1", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"},
		{"sampling undecided", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00"},
		{"no parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", ""},
		{"zero parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000", ""},
		{"short root", "Root=1-5759e988-bd86;Parent=53995c3f42cd8ad8", ""},
		{"other root version", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", ""},
		{"upper-case hex", "Root=1-5759E988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := TraceParent(tt.xray)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("TraceParent(%q) = %q, %v; want %q", tt.xray, got, ok, tt.want)
			}
		})
	}
}
