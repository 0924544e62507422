package httpserve

import (
	"container/list"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// conns tracks a server's connections through http.Server.ConnState, so
// that a flood of idle connections cannot exhaust the process's file
// descriptors and stop it from accepting: above max open connections, the
// connections that wait (idle keep-alives, and new ones that have not sent
// a whole request header) are closed, the longest waiting first.
// Connections serving a request are counted, never closed.
type conns struct {
	max int
	log *slog.Logger

	mu      sync.Mutex
	all     map[net.Conn]*list.Element // nil for a connection serving a request
	waiting list.List                  // of net.Conn, longest waiting first
	shed    int                        // connections closed since the last log line
	logged  time.Time
}

func newConns(max int, log *slog.Logger) *conns {
	return &conns{max: max, log: log, all: map[net.Conn]*list.Element{}}
}

// shedLogEvery spaces the log lines about closed connections.
const shedLogEvery = 10 * time.Second

// state is the http.Server.ConnState hook.
func (cs *conns) state(c net.Conn, s http.ConnState) {
	var victims []net.Conn
	cs.mu.Lock()
	switch s {
	case http.StateNew:
		cs.all[c] = cs.waiting.PushBack(c)
		for len(cs.all) > cs.max && cs.waiting.Front() != nil && cs.waiting.Front().Value != c {
			v := cs.waiting.Remove(cs.waiting.Front()).(net.Conn)
			delete(cs.all, v) // its later states are ignored
			victims = append(victims, v)
		}
	case http.StateActive:
		if el, ok := cs.all[c]; ok && el != nil {
			cs.waiting.Remove(el)
			cs.all[c] = nil
		}
	case http.StateIdle:
		if el, ok := cs.all[c]; ok && el == nil {
			cs.all[c] = cs.waiting.PushBack(c)
		}
	case http.StateClosed, http.StateHijacked:
		if el, ok := cs.all[c]; ok {
			if el != nil {
				cs.waiting.Remove(el)
			}
			delete(cs.all, c)
		}
	}
	var report int
	if len(victims) > 0 {
		cs.shed += len(victims)
		if now := time.Now(); now.Sub(cs.logged) >= shedLogEvery {
			report, cs.shed, cs.logged = cs.shed, 0, now
		}
	}
	cs.mu.Unlock()
	for _, v := range victims {
		_ = v.Close()
	}
	if report > 0 {
		cs.log.Warn("too many connections: closed waiting ones, longest waiting first",
			"closed", report, "max_conns", cs.max)
	}
}

// active returns the number of connections serving a request.
func (cs *conns) active() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.all) - cs.waiting.Len()
}
