// Package strview reads bytes as a string without copying them, so that one
// string function serves both (a generic function over string | []byte is
// compiled once per shape, twice the code).
package strview

import "unsafe"

// Of returns b as a string that shares b's memory. The caller must not
// change b while the string is in use, nor keep the string beyond that:
// use it only for a function that reads the string and returns.
func Of(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
