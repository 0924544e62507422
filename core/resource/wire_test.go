package resource

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/internal/golden"
)

// TestWireShape pins what a consumer that is not polyfn sees of each
// wireCases event on each service: the mode, the attributes (or
// properties) and the content type, and the body (docs/resources.md
// documents the shape).
func TestWireShape(t *testing.T) {
	type shape struct {
		Structured  bool              `json:"structured"`
		Attributes  map[string]string `json:"attributes"`
		ContentType string            `json:"message_content_type,omitempty"`
		Body        string            `json:"body"`
	}
	for _, tc := range wireCases() {
		got := map[string]shape{}
		for name, f := range map[string]format{"sns-sqs": snsSQS, "servicebus": serviceBus, "pubsub": pubSub} {
			m, err := f.encode(tc.event)
			if err != nil {
				t.Fatalf("%s, %s: %v", tc.name, name, err)
			}
			got[name] = shape{Structured: m.structured, Attributes: m.attrs, ContentType: m.contentType, Body: string(m.body)}
		}
		golden.CheckJSON(t, filepath.Join("testdata", "wire", strings.ReplaceAll(tc.name, " ", "-")+".golden.json"), got)
	}
}

// TestXMLText: SQS bodies hold only XML characters.
func TestXMLText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{{"plain {\"a\":1}\n\t\r", true}, {"é ✓ 𝄞", true}, {"", true}, {"\x00", false}, {"\x1f", false}, {"\uFFFE", false}, {"\xff", false}} {
		if got := xmlText([]byte(tc.in)); got != tc.want {
			t.Errorf("xmlText(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
