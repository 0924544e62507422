//go:build unix

package httpserve

import (
	"math"
	"syscall"
)

// openFileLimit returns the process's soft limit on open files.
func openFileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > math.MaxInt32 {
		return 2 * MaxDefaultConns
	}
	return int(r.Cur)
}
