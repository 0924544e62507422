// Package syncbuf is a bytes.Buffer safe for one writer and concurrent
// readers: the output of a child process that tests read while it runs.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer collects writes; String may be called while writes go on. The
// zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
