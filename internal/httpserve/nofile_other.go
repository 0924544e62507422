//go:build !unix

package httpserve

// openFileLimit returns a limit that gives MaxDefaultConns: the system
// states none.
func openFileLimit() int { return 2 * MaxDefaultConns }
