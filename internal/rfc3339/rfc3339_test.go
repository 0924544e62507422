package rfc3339

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC3339Nano in UTC; "" for an error
	}{
		{"2026-11-27T12:00:00Z", "2026-11-27T12:00:00Z"},
		{"2026-11-27t12:00:00z", "2026-11-27T12:00:00Z"},
		{"2026-11-27T12:00:00.5Z", "2026-11-27T12:00:00.5Z"},
		{"2026-11-27T12:00:00.123456789123Z", "2026-11-27T12:00:00.123456789Z"},
		{"2026-11-27T12:00:00+01:30", "2026-11-27T10:30:00Z"},
		{"2026-11-27T12:00:00-00:00", "2026-11-27T12:00:00Z"},
		{"2026-11-27T23:59:60Z", "2026-11-27T23:59:59.999999999Z"},
		{"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"2026-11-27T12:00:00+23:59", "2026-11-26T12:01:00Z"},
		{"2026-11-27T12:00:00+24:00", ""},
		{"2026-11-27T12:00:00,5Z", ""},
		{"2026-11-27T12:00:00.Z", ""},
		{"2026-11-27 12:00:00Z", ""},
		{"2026-11-27T12:00:00", ""},
		{"2026-11-27T12:00:00+0100", ""},
		{"2023-02-29T00:00:00Z", ""},
		{"2026-13-01T00:00:00Z", ""},
		{"2026-11-31T00:00:00Z", ""},
		{"2026-11-27T24:00:00Z", ""},
		{"2026-11-27T12:60:00Z", ""},
		{"2026-11-27T12:00:61Z", ""},
		{"2026-11-27T12:00:00Zjunk", ""},
		{"+026-11-27T12:00:00Z", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if gotb, errb := ParseBytes([]byte(tt.in)); !gotb.Equal(got) || (errb == nil) != (err == nil) {
			t.Errorf("ParseBytes(%q) = %v, %v; Parse = %v, %v", tt.in, gotb, errb, got, err)
		}
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) = %v, %v; want ErrSyntax", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.UTC().Format(time.RFC3339Nano) != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %s", tt.in, got.UTC().Format(time.RFC3339Nano), err, tt.want)
		}
	}
}

func TestParseZoneless(t *testing.T) {
	for in, want := range map[string]string{
		"2023-10-12T20:13:49":         "2023-10-12T20:13:49Z",
		"2023-10-12T20:13:49.25":      "2023-10-12T20:13:49.25Z",
		"2022-06-20T06:00:06+02:00":   "2022-06-20T04:00:06Z",
		"2022-06-20T06:00:06.640002Z": "2022-06-20T06:00:06.640002Z",
		"2022-06-20 06:00:06":         "",
		"2022-06-20T06:00:06+0200":    "",
	} {
		got, ok := ParseZoneless(in)
		if gotB, okB := ParseZonelessBytes([]byte(in)); okB != ok || !gotB.Equal(got) {
			t.Errorf("ParseZonelessBytes(%q) = %v, %v; ParseZoneless gave %v, %v", in, gotB, okB, got, ok)
		}
		if want == "" {
			if ok {
				t.Errorf("ParseZoneless(%q) = %v, want a refusal", in, got)
			}
			continue
		}
		if !ok || got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("ParseZoneless(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	if _, err := Parse("2023-10-12T20:13:49"); err == nil {
		t.Error("Parse must want a zone")
	}
}

// FuzzParse checks Parse against time.Parse on the inputs both should
// read alike: upper-case T and Z, a "." fraction, no leap second, an
// offset hour below 24.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-27T12:00:00Z", "2026-11-27T12:00:00.123+05:30", "1999-12-31T23:59:59-08:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		want, werr := time.Parse(time.RFC3339Nano, s)
		if err == nil && (werr != nil || !got.Equal(want)) {
			// Parse is stricter or differs only where RFC 3339 says so.
			if len(s) > 19 && (s[10] == 't' || s[len(s)-1] == 'z' || s[17:19] == "60") {
				return
			}
			t.Fatalf("Parse(%q) = %v, time.Parse = %v, %v", s, got, want, werr)
		}
		if err != nil && werr == nil && !looser(s) {
			t.Fatalf("Parse(%q) refused what time.Parse reads as %v", s, want)
		}
	})
}

// looser reports whether s holds something time.Parse accepts and RFC 3339
// does not: fields of the wrong width, a "," fraction, an offset hour
// over 23 or minute over 59.
func looser(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return true
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if s[i] < '0' || s[i] > '9' {
			return true
		}
	}
	for i := 19; i < len(s); i++ {
		if s[i] == ',' {
			return true
		}
	}
	if n := len(s); n >= 6 && (s[n-6] == '+' || s[n-6] == '-') && (s[n-5:n-3] >= "24" || s[n-2:] >= "60") {
		return true
	}
	return false
}

// TestZoneShared checks that times with the same offset share one zone,
// and that the zone is right at both ends of the range.
func TestZoneShared(t *testing.T) {
	for _, off := range []string{"+05:30", "-23:59", "+23:59", "-00:01"} {
		a, err1 := Parse("2026-11-27T12:00:00" + off)
		b, err2 := Parse("2025-01-01T00:00:00" + off)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if a.Location() != b.Location() {
			t.Errorf("%s: two zones", off)
		}
		if got := a.Format("-07:00"); got != off {
			t.Errorf("%s: zone offset %s", off, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Parse("2026-11-27T12:00:00+01:00") }); n != 0 {
		t.Errorf("Parse with an offset allocates %v times", n)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("2026-11-25T10:11:12.123Z"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTimeParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := time.Parse(time.RFC3339Nano, "2026-11-25T10:11:12.123Z"); err != nil {
			b.Fatal(err)
		}
	}
}
