package httpserve

import (
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/polyfn/polyfn/internal/slogx"
)

// BenchmarkConnState is the tracking cost of one request on a keep-alive
// connection among 1,000 open ones: two state changes.
func BenchmarkConnState(b *testing.B) {
	cs := newConns(4096, slog.New(slogx.Discard))
	conns := make([]net.Conn, 1000)
	for i := range conns {
		a, c := net.Pipe()
		defer a.Close()
		defer c.Close()
		conns[i] = c
		cs.state(c, http.StateNew)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := conns[i%len(conns)]
		cs.state(c, http.StateActive)
		cs.state(c, http.StateIdle)
	}
}
