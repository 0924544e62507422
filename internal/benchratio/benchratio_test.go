package benchratio

import (
	"errors"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	work := func(n int) func() error {
		return func() error {
			sink = make([]byte, n)
			return nil
		}
	}
	r := Compare(t, "alloc", 3, 200, work(64), work(4096))
	q := r.Ratio()
	if r.Rounds != 3 || r.Ops != 200 || r.Peer.Allocs < 0.9 || q.Bytes < 10 {
		t.Fatalf("result %+v, ratio %v: want about 1 allocation per op and 64x the bytes", r, q)
	}
	if !strings.Contains(q.String(), "bytes") {
		t.Fatalf("String() = %q", q)
	}
	if err := run(func() error { return errors.New("boom") }, 3); err == nil {
		t.Fatal("run must stop at the first error")
	}
}

var sink []byte
