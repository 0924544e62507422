package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestObject(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // name=value; ...
		end      int    // -1 for malformed; otherwise len(in) minus trailing text
	}{
		{"empty", ` { } `, "", 4},
		{"members", `{"a":1,"b":"x\"y","c":{"d":[1,{"e":"}"}]},"f":null}`, `a=1;b="x\"y";c={"d":[1,{"e":"}"}]};f=null`, 51},
		{"spaces", "{ \"a\" :\t[ 1 , 2 ] ,\n\"b\": true }", `a=[ 1 , 2 ];b=true`, 31},
		{"escaped name", `{"a\"b":1}`, `a\"b=1`, 10},
		{"not an object", `[1]`, "", -1},
		{"unclosed", `{"a":1`, "a=1", -1},
		{"missing colon", `{"a" 1}`, "", -1},
		{"missing value", `{"a":}`, "", -1},
		{"trailing comma junk", `{"a":1;}`, "a=1", -1},
		{"unclosed string", `{"a":"x}`, "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			end := Object([]byte(tt.in), 0, func(name, value []byte) bool {
				got = append(got, string(name)+"="+string(value))
				return true
			})
			if strings.Join(got, ";") != tt.want || end != tt.end {
				t.Fatalf("Object(%s) = %q, %d; want %q, %d", tt.in, strings.Join(got, ";"), end, tt.want, tt.end)
			}
		})
	}
}

func TestObjectStops(t *testing.T) {
	in := []byte(`{"a":1,"b":2,"c":3}`)
	n := 0
	end := Object(in, 0, func(name, _ []byte) bool { n++; return string(name) != "b" })
	if n != 2 || end != 12 {
		t.Fatalf("stopped after %d members at %d", n, end)
	}
}

func TestArray(t *testing.T) {
	var got []string
	end := Array([]byte(` [1, "a,b" ,{"c":[2]}, [] ] `), 0, func(v []byte) bool { got = append(got, string(v)); return true })
	if strings.Join(got, "|") != `1|"a,b"|{"c":[2]}|[]` || end != 27 {
		t.Fatalf("Array = %q, %d", got, end)
	}
	if Array([]byte(`[1 2]`), 0, func([]byte) bool { return true }) != -1 {
		t.Fatal("a missing comma must be malformed")
	}
}

func TestUnquote(t *testing.T) {
	for _, in := range []string{`""`, `"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\ud83d\ude00"`, `"\ud800 lone"`, "\"bad \xff utf8\"", `"é"`} {
		got, err := Unquote([]byte(in))
		var want string
		if jerr := json.Unmarshal([]byte(in), &want); jerr != nil || err != nil || string(got) != want {
			t.Errorf("Unquote(%s) = %q, %v; encoding/json gives %q, %v", in, got, err, want, jerr)
		}
	}
	for _, in := range []string{`x`, `"a`, `"\x"`, `"\u12"`, "\"a\nb\"", `"\"`} {
		if _, err := Unquote([]byte(in)); err == nil {
			t.Errorf("Unquote(%q) accepted", in)
		}
	}
	if p, ok := Plain([]byte(`"abc"`)); !ok || string(p) != "abc" {
		t.Error("Plain")
	}
	if _, ok := Plain([]byte(`"a\nb"`)); ok {
		t.Error("Plain accepted an escape")
	}
}

// FuzzObject checks the walker against encoding/json on valid objects: the
// same members, in order, with the same values.
func FuzzObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":{"b":[1,"]"]},"c":"\"}"}`, `{"a" : null , "b":true}`, `{"\u0061":"\ud83d"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var names []string
		var values []json.RawMessage
		end := Object(b, 0, func(name, value []byte) bool {
			names = append(names, string(name))
			values = append(values, value)
			return true
		})
		if !json.Valid(b) {
			return
		}
		trimmed := bytes.TrimSpace(b)
		if len(trimmed) == 0 || trimmed[0] != '{' {
			if end != -1 {
				t.Fatalf("Object accepted a non-object %q", b)
			}
			return
		}
		if end < 0 || len(bytes.TrimSpace(b[end:])) != 0 {
			t.Fatalf("Object(%q) ended at %d", b, end)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for i := 0; dec.More(); i++ {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			name, err := Unquote([]byte(`"` + names[i] + `"`))
			if err != nil || string(name) != tok.(string) || !bytes.Equal(bytes.TrimSpace(values[i]), bytes.TrimSpace(v)) {
				t.Fatalf("member %d: %q=%s, encoding/json %q=%s", i, names[i], values[i], tok, v)
			}
		}
	})
}

// FuzzUnquote checks Unquote against encoding/json.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u00e9"`, `"\ud800"`, "\"\xff\"", `"\\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Unquote(b)
		var want string
		jerr := json.Unmarshal(b, &want)
		if len(b) == 0 || !bytes.Equal(bytes.TrimSpace(b), b) {
			return // encoding/json skips white space; Unquote takes a bare literal
		}
		if (err == nil) != (jerr == nil) {
			t.Fatalf("Unquote(%q) err %v, encoding/json err %v", b, err, jerr)
		}
		if err == nil && string(got) != want {
			t.Fatalf("Unquote(%q) = %q, want %q", b, got, want)
		}
	})
}
