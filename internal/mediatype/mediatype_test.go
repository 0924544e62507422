package mediatype

import "testing"

func TestOf(t *testing.T) {
	tests := []struct{ ct, want string }{
		{"application/json", "application/json"},
		{"Application/JSON; charset=UTF-8", "application/json"},
		{"  text/plain ;x=y", "text/plain"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Of(tt.ct); got != tt.want {
			t.Errorf("Of(%q) = %q, want %q", tt.ct, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Of("application/json; charset=utf-8") }); n != 0 {
		t.Errorf("Of allocates %v times for a lower-case type", n)
	}
}

func TestClasses(t *testing.T) {
	tests := []struct {
		mt           string
		json, isText bool
	}{
		{"", true, false},
		{"application/json", true, false},
		{"text/json", true, false},
		{"application/cloudevents+json", true, false},
		{"text/plain", false, true},
		{"application/xml", false, true},
		{"application/atom+xml", false, true},
		{"application/octet-stream", false, false},
		{"image/png", false, false},
	}
	for _, tt := range tests {
		if IsJSON(tt.mt) != tt.json || IsText(tt.mt) != tt.isText {
			t.Errorf("%q: IsJSON %v IsText %v, want %v %v", tt.mt, IsJSON(tt.mt), IsText(tt.mt), tt.json, tt.isText)
		}
	}
}
