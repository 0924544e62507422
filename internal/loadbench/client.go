package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// A conn is one keep-alive HTTP/1.1 connection of the load generator. It
// writes a prepared request and reads the answer with a minimal parser
// (status line, Content-Length or chunked body), so that the generator
// spends as little CPU per request as it can.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(addr string, n int) ([]*conn, error) {
	cs := make([]*conn, 0, n)
	for range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			closeAll(cs)
			return nil, err
		}
		cs = append(cs, &conn{c: c, r: bufio.NewReaderSize(c, 16<<10)})
	}
	return cs, nil
}

func closeAll(cs []*conn) {
	for _, c := range cs {
		c.c.Close()
	}
}

// do sends req and checks that the answer has status want and keeps the
// connection open.
func (c *conn) do(req []byte, want int) error {
	_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(req); err != nil {
		return err
	}
	return readAnswer(c.r, want)
}

// readAnswer reads one HTTP/1.1 answer from r, discarding its body, and
// fails unless its status is want and the server keeps the connection.
func readAnswer(r *bufio.Reader, want int) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return fmt.Errorf("read status line: %w", err)
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return fmt.Errorf("malformed status line %q", line)
	}
	statusLine := string(bytes.TrimRight(line, "\r\n"))
	length, chunked, closing := int64(-1), false, false
	for {
		h, err := r.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("read header: %w", err)
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return fmt.Errorf("malformed header line %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	var body bytes.Buffer // kept only for an unexpected status
	sink := io.Discard
	if status != want {
		sink = &body
	}
	switch {
	case status == 204 || status == 304 || (status >= 100 && status < 200):
	case chunked:
		if err := readChunked(r, sink); err != nil {
			return err
		}
	case length >= 0:
		if _, err := io.CopyN(sink, r, length); err != nil {
			return fmt.Errorf("read body: %w", err)
		}
	default:
		return fmt.Errorf("%s: answer without Content-Length or chunked body", statusLine)
	}
	if status != want {
		b := body.Bytes()
		if len(b) > 300 {
			b = b[:300]
		}
		return fmt.Errorf("%s, want %d: %s", statusLine, want, b)
	}
	if closing {
		return fmt.Errorf("%s: the server closed the connection (Connection: close)", statusLine)
	}
	return nil
}

func readChunked(r *bufio.Reader, sink io.Writer) error {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("read chunk size: %w", err)
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("malformed chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, up to the empty line
				t, err := r.ReadSlice('\n')
				if err != nil {
					return fmt.Errorf("read trailer: %w", err)
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := io.CopyN(sink, r, n); err != nil {
			return fmt.Errorf("read chunk: %w", err)
		}
		if crlf, err := r.ReadSlice('\n'); err != nil || len(bytes.TrimRight(crlf, "\r\n")) != 0 {
			return errors.New("chunk not followed by CRLF")
		}
	}
}

// drive sends req over every connection in a closed loop (each connection
// waits for its answer before it sends again) until d has passed (when d > 0)
// or max requests were sent (when max > 0), or stop is set. It returns the
// number of answers, the time from start to the last answer, and the first
// error, which stops every connection.
func drive(cs []*conn, req []byte, want int, d time.Duration, max int64, stop *atomic.Bool) (int64, time.Duration, error) {
	var (
		done    atomic.Bool
		sent    atomic.Int64
		answers atomic.Int64
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	if d > 0 {
		t := time.AfterFunc(d, func() { done.Store(true) })
		defer t.Stop()
	}
	start := time.Now()
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			for !done.Load() && !stop.Load() {
				if max > 0 && sent.Add(1) > max {
					break
				}
				if err := c.do(req, want); err != nil {
					errOnce.Do(func() { first = err })
					done.Store(true)
					break
				}
				n++
			}
			answers.Add(n)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first == nil && stop.Load() {
		first = errors.New("interrupted")
	}
	return answers.Load(), elapsed, first
}
