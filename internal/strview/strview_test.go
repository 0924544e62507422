package strview

import "testing"

func TestOf(t *testing.T) {
	for _, in := range []string{"", "a", "héllo, world"} {
		b := []byte(in)
		if got := Of(b); got != in {
			t.Errorf("Of(%q) = %q", in, got)
		}
	}
	if got := Of(nil); got != "" {
		t.Errorf("Of(nil) = %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Of([]byte("abc")[:2]) }); n != 0 {
		t.Errorf("Of allocates %v times", n)
	}
}
