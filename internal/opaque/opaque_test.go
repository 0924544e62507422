package opaque

import "testing"

func TestBox(t *testing.T) {
	var zero Box[func() int]
	if f := Get(zero); f != nil {
		t.Errorf("the zero Box holds %p, want nil", f)
	}
	b := Of(func() int { return 7 })
	if got := Get(b)(); got != 7 {
		t.Errorf("Get(Of(f))() = %d, want 7", got)
	}
	s := Of([]string{"a", "b"})
	if got := Get(s); len(got) != 2 || got[1] != "b" {
		t.Errorf("Get(Of(slice)) = %q", got)
	}
}
