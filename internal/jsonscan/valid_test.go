package jsonscan

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValid(t *testing.T) {
	tests := []string{
		``, ` `, `{}`, `[]`, ` { } `, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{,}`, `{1:2}`, `[1,]`, `[,1]`, `[1 2]`,
		`{]`, `[}`, `{"a":[}]`, `"abc"`, `"a\"b"`, `"\u00e9"`, `"\u00g9"`, `"\x"`, "\"a\tb\"", "\"\xff\"", `"unterminated`,
		`true`, `tru`, `truex`, `false`, `null`, `nul`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e`, `1e+`, `-1.5e-3`,
		`1 2`, `{} {}`, `{"a":{"b":[1,{"c":null}]},"d":"e"}`, `[[[[]]]]`, `[[[[]]]`, `{"a":"b"}x`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	}
	tests = append(tests, "\"\xc3\xa9\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "{\"\xff\":1}", "[\"\xe2\x82\xac\", \"\xf0\x9f\x98\x80\"]", "\xef\xbb\xbf{}")
	for _, s := range tests {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("Valid(%.40q) = %v, json.Valid gives %v", s, got, want)
		}
		if got, want := ValidUTF8([]byte(s)), json.Valid([]byte(s)) && utf8.ValidString(s); got != want {
			t.Errorf("ValidUTF8(%.40q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzValid checks Valid against encoding/json on arbitrary input.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{"Data":{"msg":"\"x\""},"Metadata":{"n":1.5e3,"b":[true,false,null]}}`, `[1,{"a":"\u00e9"}]`, `-0.0e-0`, `{"a":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid gives %v", b, got, want)
		}
		if got, want := ValidUTF8(b), json.Valid(b) && utf8.Valid(b); got != want {
			t.Fatalf("ValidUTF8(%q) = %v, want %v", b, got, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	doc, err := os.ReadFile("testdata/valid/envelope.json")
	if err != nil {
		b.Fatal(err)
	}
	order := []byte(`{"order":"A-7","items":[{"sku":"X1","qty":2},{"sku":"Y9","qty":1}],"total":42.5,"currency":"EUR"}`)
	b.Run("order", func(b *testing.B) {
		b.SetBytes(int64(len(order)))
		for i := 0; i < b.N; i++ {
			if !ValidUTF8(order) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("jsonscan", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for i := 0; i < b.N; i++ {
			if !Valid(doc) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for i := 0; i < b.N; i++ {
			if !json.Valid(doc) {
				b.Fatal("invalid")
			}
		}
	})
}
