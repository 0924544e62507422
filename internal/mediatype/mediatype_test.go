package mediatype

import (
	"mime"
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	tests := []struct {
		ct, want string
		allocs   float64 // allocations Of may make
	}{
		{"application/json", "application/json", 0},
		{"application/json; charset=utf-8", "application/json", 0},
		{"Application/JSON; charset=UTF-8", "application/json", 0},
		{"  text/plain ;x=y", "text/plain", 0},
		{"TEXT/PLAIN", "text/plain", 0},
		{"application/CloudEvents+JSON", "application/cloudevents+json", 0},
		{"application/cloudevents-batch+json;charset=utf-8", "application/cloudevents-batch+json", 0},
		{"Image/PNG", "image/png", 1},
		{"application/vnd.Example+JSON", "application/vnd.example+json", 1},
		{"", "", 0},
		{" ; charset=utf-8", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			if got := Of(tt.ct); got != tt.want {
				t.Errorf("Of(%q) = %q, want %q", tt.ct, got, tt.want)
			}
			if n := testing.AllocsPerRun(100, func() { Of(tt.ct) }); n > tt.allocs {
				t.Errorf("Of(%q) allocates %v times, want at most %v", tt.ct, n, tt.allocs)
			}
			// Where mime can parse it, Of agrees with mime.ParseMediaType.
			if mt, _, err := mime.ParseMediaType(tt.ct); err == nil && mt != tt.want {
				t.Errorf("mime.ParseMediaType(%q) = %q, Of = %q", tt.ct, mt, tt.want)
			}
		})
	}
}

func TestOfPtr(t *testing.T) {
	ct := "Application/JSON; charset=utf-8"
	if got := OfPtr(&ct); got != "application/json" {
		t.Errorf("OfPtr(%q) = %q", ct, got)
	}
	if got := OfPtr(nil); got != "" {
		t.Errorf("OfPtr(nil) = %q, want empty", got)
	}
}

func TestKnownAreCanonical(t *testing.T) {
	for _, k := range known {
		if k != strings.ToLower(strings.TrimSpace(k)) || strings.ContainsRune(k, ';') {
			t.Errorf("known type %q is not lower-case without parameters", k)
		}
	}
}

func TestClasses(t *testing.T) {
	tests := []struct {
		mt                      string
		json, isText, isTextual bool
	}{
		{"", true, false, false},
		{"application/json", true, false, true},
		{"text/json", true, false, true},
		{"application/cloudevents+json", true, false, true},
		{"text/plain", false, true, true},
		{"text/html", false, true, true},
		{"application/xml", false, true, true},
		{"application/atom+xml", false, true, true},
		{"image/svg+xml", false, true, true},
		{"application/javascript", false, false, true},
		{"application/x-www-form-urlencoded", false, false, true},
		{"application/graphql", false, false, true},
		{"application/x-ndjson", false, false, true},
		{"application/yaml", false, false, true},
		{"application/octet-stream", false, false, false},
		{"application/protobuf", false, false, false},
		{"image/png", false, false, false},
	}
	for _, tt := range tests {
		if IsJSON(tt.mt) != tt.json || IsText(tt.mt) != tt.isText || IsTextual(tt.mt) != tt.isTextual {
			t.Errorf("%q: IsJSON %v IsText %v IsTextual %v, want %v %v %v", tt.mt,
				IsJSON(tt.mt), IsText(tt.mt), IsTextual(tt.mt), tt.json, tt.isText, tt.isTextual)
		}
	}
}

func TestIsBinaryBody(t *testing.T) {
	tests := []struct {
		name         string
		ct, encoding string
		body         string
		want         bool
	}{
		{"empty body", "image/png", "gzip", "", false},
		{"JSON", "application/json; charset=utf-8", "", `{"a":1}`, false},
		{"upper-case JSON", "Application/JSON", "", `{"a":1}`, false},
		{"text without a type", "", "", "hello", false},
		{"invalid UTF-8 without a type", "", "", "\xff\xfe", true},
		{"invalid UTF-8 as text", "text/plain", "", "caf\xe9", true},
		{"gzip-encoded JSON", "application/json", "gzip", `{"a":1}`, true},
		{"identity encoding", "text/plain", "Identity", "hello", false},
		{"image", "image/png", "", "\x89PNG", true},
		{"octet stream of text", "application/octet-stream", "", "hello", true},
		{"problem JSON", "application/problem+json", "", `{"title":"x"}`, false},
		{"SVG", "image/svg+xml", "", "<svg/>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if got := IsBinaryBody(tt.ct, tt.encoding, body); got != tt.want {
				t.Errorf("IsBinaryBody(%q, %q, %q) = %v, want %v", tt.ct, tt.encoding, tt.body, got, tt.want)
			}
			if n := testing.AllocsPerRun(100, func() { IsBinaryBody(tt.ct, tt.encoding, body) }); n != 0 {
				t.Errorf("IsBinaryBody allocates %v times", n)
			}
		})
	}
}

func BenchmarkOf(b *testing.B) {
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8", "application/vnd.Example+json"} {
		b.Run(ct, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Of(ct)
			}
		})
	}
}

func BenchmarkIsBinaryBody(b *testing.B) {
	body := []byte(strings.Repeat(`{"order":"A-7","items":[{"sku":"X1","qty":2}]}`, 20))
	for _, ct := range []string{"application/json; charset=utf-8", "image/png"} {
		b.Run(ct, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				IsBinaryBody(ct, "", body)
			}
		})
	}
}
