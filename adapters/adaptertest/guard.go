package adaptertest

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/auth"
)

// guardToken is the bearer token the guard check's App accepts.
const guardToken = "conformance-token"

// guardApp is an App with one event function behind an event guard
// (core.App.GuardEvents) that accepts guardToken; it records the subject
// of the principal each event ran for.
func guardApp(t *testing.T) (*core.App, *guardLog) {
	app := core.NewApp()
	log := &guardLog{subjects: map[string]string{}}
	core.Must(app.Event(fnEvents, func(ctx context.Context, e core.Event) (*core.Event, error) {
		p, _ := auth.FromContext(ctx)
		sub := "(none)"
		if p != nil {
			sub = p.Subject
		}
		log.add(e.ID(), sub)
		return nil, nil
	}, core.OnQueue("guarded")))
	auth.ProtectEvents(app, auth.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		switch auth.BearerToken(r) {
		case "":
			return nil, auth.ErrNoCredentials
		case guardToken:
			return &auth.Principal{Subject: "caller", Method: "test"}, nil
		}
		return nil, auth.ErrInvalidToken
	}))
	return app, log
}

type guardLog struct {
	mu       sync.Mutex
	subjects map[string]string // event id → principal subject
}

func (l *guardLog) add(id, sub string) {
	l.mu.Lock()
	l.subjects[id] = sub
	l.mu.Unlock()
}

func (l *guardLog) get(id string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.subjects[id]
	return s, ok
}

// checkEventGuard: where the adapter serves event functions to HTTP
// callers (Features.GuardsEvents), an App's event guard refuses a
// delivery without credentials, or with wrong ones, before the function
// runs, and passes the caller's principal to the function; elsewhere the
// platform delivers events itself and the guard is not in their way.
func checkEventGuard(t *testing.T, mk HarnessMaker) {
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	tests := []struct {
		name   string
		header http.Header
		ok     bool // where the adapter guards events
	}{
		{"no credentials", nil, false},
		{"wrong token", bearer("wrong"), false},
		{"token", bearer(guardToken), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, log := guardApp(t)
			h := mk(t, app, Options{EventHeader: tt.header})
			id := "guard-" + string(rune('a'+i))
			d := deliver(t, h, fnEvents, newEvent(id, order{}))
			sub, ran := log.get(id)
			switch {
			case !h.Features().GuardsEvents:
				if !d.OK || !ran {
					t.Errorf("an adapter that does not guard events: delivery %+v, ran %v; want it delivered", d, ran)
				}
			case tt.ok:
				if !d.OK || sub != "caller" {
					t.Errorf("with the token: delivery %+v, the function saw principal %q; want it delivered for %q", d, sub, "caller")
				}
			default:
				if d.OK || ran {
					t.Errorf("delivery %+v, ran %v; want it refused before the function runs", d, ran)
				}
			}
		})
	}
}
