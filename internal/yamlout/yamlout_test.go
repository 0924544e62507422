package yamlout

import "testing"

func TestMarshal(t *testing.T) {
	doc := Map{
		{"Version", "2010-09-09"},
		{"Skipped", nil},
		{"Count", 3},
		{"On", true},
		{"Empty", Map{}},
		{"List", []string{"a", "yes", "1"}},
		{"Items", []any{Map{{"Name", "x"}, {"Sub", Map{{"K", "v"}}}}, "plain", Map{}}},
		{"Fn::GetAtt", []string{"Queue", "Arn"}},
		{"Nested", Map{{"Deep", Map{{"Value", "line\nbreak \"quoted\""}}}}},
	}
	got, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `Version: "2010-09-09"
Count: 3
On: true
Empty: {}
List:
  - "a"
  - "yes"
  - "1"
Items:
  - Name: "x"
    Sub:
      K: "v"
  - "plain"
  - {}
"Fn::GetAtt":
  - "Queue"
  - "Arn"
Nested:
  Deep:
    Value: "line\nbreak \"quoted\""
`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := Marshal(Map{{"Bad", 1.5}}); err == nil {
		t.Fatal("floats are not supported and must say so")
	}
}
