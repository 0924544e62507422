package tracectx

import (
	"encoding/hex"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, tp string
		want     Parent
		ok       bool
	}{
		{"sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Parent{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true}, true},
		{"not sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", Parent{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", false}, true},
		{"other flags", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03", Parent{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true}, true},
		{"later version with more", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra", Parent{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", false}, true},
		{"version 00 with more", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", Parent{}, false},
		{"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Parent{}, false},
		{"zero trace", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", Parent{}, false},
		{"zero span", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", Parent{}, false},
		{"upper case", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", Parent{}, false},
		{"short", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", Parent{}, false},
		{"empty", "", Parent{}, false},
		{"bad version digit", "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Parent{}, false},
		{"bad trace digit", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", Parent{}, false},
		{"bad span digit", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b:-01", Parent{}, false},
		{"bad flags digit", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x", Parent{}, false},
		{"last bits only", "00-00000000000000000000000000000001-0000000000000001-00", Parent{"00000000000000000000000000000001", "0000000000000001", false}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.tp)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v, %v", tt.tp, got, ok, tt.want, tt.ok)
			}
			if ok && tt.tp[:2] == "00" && (got.String() != tt.tp) != (tt.tp[53:] != "00" && tt.tp[53:] != "01") {
				t.Errorf("String() = %q, want %q", got.String(), tt.tp)
			}
			// ParseIDs: the same verdict, the same ids in binary.
			ids, idsOK := ParseIDs(tt.tp)
			if idsOK != ok || ok && (hex.EncodeToString(ids.Trace[:]) != got.TraceID || hex.EncodeToString(ids.Span[:]) != got.SpanID || ids.Sampled != got.Sampled) {
				t.Errorf("ParseIDs(%q) = %x %x %v, %v; want %+v, %v", tt.tp, ids.Trace, ids.Span, ids.Sampled, idsOK, got, ok)
			}
			if ok && ids.String() != got.String() {
				t.Errorf("IDs.String() = %q, want %q", ids.String(), got.String())
			}
		})
	}
}

func TestXRay(t *testing.T) {
	tests := []struct {
		name, xray, want string
	}{
		{"sampled", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"},
		{"not sampled, fields in another order", "Sampled=0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00"},
		{"lineage and spaces", "Root=1-5759e988-bd862e3fe1be46a994272793; Parent=53995c3f42cd8ad8; Sampled=1; Lineage=1:fe460cdd:0", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"},
		{"sampling undecided", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00"},
		{"no parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", ""},
		{"zero parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000", ""},
		{"zero root", "Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8", ""},
		{"short root", "Root=1-5759e988-bd86;Parent=53995c3f42cd8ad8", ""},
		{"other root version", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", ""},
		{"upper-case hex", "Root=1-5759E988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromXRay(tt.xray)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("FromXRay(%q) = %q, %v; want %q", tt.xray, got, ok, tt.want)
			}
			if !ok {
				return
			}
			// Back to X-Ray and again to W3C: the same trace, parent and flag.
			back := ToXRay(got)
			if again, _ := FromXRay(back); again != got {
				t.Errorf("ToXRay(%q) = %q, which reads back as %q", got, back, again)
			}
		})
	}
	if got := ToXRay("bad"); got != "" {
		t.Errorf("ToXRay(bad) = %q, want empty", got)
	}
	if got := XRayTraceID("5759e988bd862e3fe1be46a994272793"); got != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("XRayTraceID = %q", got)
	}
}

func TestFromCloudTrace(t *testing.T) {
	tests := []struct {
		name, h, want string
	}{
		{"sampled", "105445aa7843bc8bf206b12000100000/1;o=1", "00-105445aa7843bc8bf206b12000100000-0000000000000001-01"},
		{"not sampled", "105445aa7843bc8bf206b12000100000/18446744073709551615;o=0", "00-105445aa7843bc8bf206b12000100000-ffffffffffffffff-00"},
		{"no options", "105445aa7843bc8bf206b12000100000/255", "00-105445aa7843bc8bf206b12000100000-00000000000000ff-00"},
		{"span over 64 bits", "105445aa7843bc8bf206b12000100000/18446744073709551616;o=1", ""},
		{"zero span", "105445aa7843bc8bf206b12000100000/0;o=1", ""},
		{"hex span", "105445aa7843bc8bf206b12000100000/ab;o=1", ""},
		{"no span", "105445aa7843bc8bf206b12000100000", ""},
		{"bad option", "105445aa7843bc8bf206b12000100000/1;o=x", ""},
		{"short trace", "105445aa/1;o=1", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromCloudTrace(tt.h)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("FromCloudTrace(%q) = %q, %v; want %q", tt.h, got, ok, tt.want)
			}
		})
	}
}

func FuzzHeaders(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	f.Add("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	f.Add("105445aa7843bc8bf206b12000100000/1;o=1")
	f.Fuzz(func(t *testing.T, h string) {
		if p, ok := Parse(h); ok {
			if q, ok := Parse(p.String()); !ok || q != p {
				t.Errorf("Parse(%q) = %+v does not read back: %+v", h, p, q)
			}
		}
		for _, tp := range []func(string) (string, bool){FromXRay, FromCloudTrace} {
			if s, ok := tp(h); ok {
				if _, ok := Parse(s); !ok {
					t.Errorf("%q gives %q, not a traceparent", h, s)
				}
			}
		}
	})
}
