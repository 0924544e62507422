package mediatype

import (
	"fmt"
	"mime"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		ct   string
		want string // part of the error; "" when ct is valid
	}{
		{"application/json", ""},
		{"text/plain; charset=us-ascii", ""},
		{"text/plain;charset=utf-8", ""},
		{"Application/CloudEvents+JSON; charset=UTF-8", ""},
		{"application/vnd.apache.thrift.binary", ""},
		{`multipart/form-data; boundary="a b;c"`, ""},
		{`text/plain; x="q\"uoted"`, ""},
		{"text/plain;", "want a parameter name at its end"},                    // RFC 9110 allows it, RFC 2045 does not
		{"text/plain; a=b;; c=d", `want a parameter name at byte 16, got ";"`}, // the second ";"
		{"text/plain; a=b; A=c", "parameter A is given twice"},
		{"a/b" + manyParams(32), ""},
		{"a/b" + manyParams(33), "more than 32 parameters"},
		{"a/b" + strings.Repeat(";p=v", 33), "parameter p is given twice"}, // the first fault found
		{"text/plain \t; a=b", ""},                                         // OWS before ";"
		{"a/b c", `want ";" at byte 4, got "c"`},                           // a space inside
		{"a/b\r\nX-Injected: 1", `want ";" at byte 3, got "\r"`},
		{"text/plain; a=b\nc", `want ";" at byte 15, got "\n"`},
		{"text/plain; a=\"b\r\n\"", "invalid quoted-string"},
		{"text/plain; a=\"unterminated", "invalid quoted-string"},
		{" application/json", "want a type at byte 0"},
		{"application/json ", `want ";" at its end`},
		{"application", `want "/" at its end`},
		{"application/", "want a subtype at its end"},
		{"/json", "want a type at byte 0"},
		{"a/b/c", `want ";" at byte 3, got "/"`},
		{"text/plain; charset", `want "=" at its end`},
		{"text/plain; =utf-8", "want a parameter name"},
		{"text/plain; charset=", "want a parameter value at its end"},
		{"text/plain; charset=\"é\"", "invalid quoted-string"},
		{"text/pl\u00e4in", `want ";" at byte 7`},
		{"", "want a type at its end"},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			err := Check(tt.ct)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Check(%q) = %v, want nil", tt.ct, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Check(%q) = %v, want an error containing %q", tt.ct, err, tt.want)
			}
		})
	}
}

// manyParams returns n parameters with distinct names: ";p0=v;p1=v...".
func manyParams(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ";p%d=v", i)
	}
	return b.String()
}

// FuzzCheck: what Check accepts holds no control character nor non-ASCII
// byte, and mime.ParseMediaType (which the CloudEvents Go SDK's Validate
// uses) reads it to the same media type as Of.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"application/json", "text/plain; charset=utf-8", `a/b; c="d\"e"`, "a/b c", "a/b\r\n", "text/plain;;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		if Check(ct) != nil {
			return
		}
		for i := 0; i < len(ct); i++ {
			if c := ct[i]; c >= 0x7F || c < 0x20 && c != '\t' {
				t.Fatalf("Check accepted %q with byte %#x", ct, c)
			}
		}
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("mime.ParseMediaType(%q): %v", ct, err)
		}
		if mt != Of(ct) {
			t.Fatalf("mime reads %q as %q, Of as %q", ct, mt, Of(ct))
		}
	})
}
