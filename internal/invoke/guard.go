package invoke

import (
	"context"
	"crypto/subtle"
	"net/http"
	"os"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/opaque"
)

// EventHandler returns the http.Handler that serves fn's events with
// ServeEvents (start describes each request's invocation, dec decodes its
// body; nil means the CloudEvents binding), behind the App's event guards
// (core.App.GuardEvents). Adapters that serve event functions to HTTP
// callers the platform does not authenticate build their event routes
// with it, so that an App that requires credentials gets them checked
// before a body is read. The guards see the function's name, provider
// and logger in core.InvocationFrom (the invocation has no id yet), and
// the context they pass on, with the caller's identity, is the one the
// invocation begins on.
func (fn *Function) EventHandler(start func(*http.Request) Start, dec Decoder) http.Handler {
	serve := &eventServer{fn: fn, start: start, dec: opaque.Of(dec)}
	guarded := fn.def.EventGuard(serve)
	if guarded == http.Handler(serve) {
		return serve
	}
	pre := &core.Invocation{Function: fn.def.Name, Provider: fn.rt.cfg.Provider, Logger: fn.log}
	token := platformToken(fn)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != nil {
			got := r.Header.Get(HeaderPlatformToken)
			r.Header.Del(HeaderPlatformToken)
			if subtle.ConstantTimeCompare([]byte(got), token) == 1 {
				serve.ServeHTTP(w, r) // the simulated platform delivers it
				return
			}
		}
		guarded.ServeHTTP(w, r.WithContext(driver.WithInvocation(r.Context(), pre)))
	})
}

// EnvPlatformToken names the secret that polyfn invoke, acting as the
// platform, shares with a function process it starts: an event delivery
// carrying it in HeaderPlatformToken passes the App's event guards, as a
// delivery the platform authenticated does in the cloud. Unset (the
// default, and always in production) nothing passes without the guards'
// credentials. A value shorter than 32 bytes is ignored, with a warning.
const EnvPlatformToken = "POLYFN_PLATFORM_TOKEN"

// HeaderPlatformToken is the request header that carries the platform
// token; adapters remove it before a function sees the request.
const HeaderPlatformToken = "Polyfn-Platform-Token"

// platformToken returns the platform token of the process, or nil.
func platformToken(fn *Function) []byte {
	v := os.Getenv(EnvPlatformToken)
	if v == "" {
		return nil
	}
	if len(v) < 32 {
		fn.log.Warn("platform token ignored: shorter than 32 bytes", "variable", EnvPlatformToken)
		return nil
	}
	return []byte(v)
}

// eventServer serves a function's events. Its decoder, like a guarded
// request's, is kept in an opaque.Box: eventServer goes in an interface,
// and a Decoder's signature names core.Event (see package opaque).
type eventServer struct {
	fn    *Function
	start func(*http.Request) Start
	dec   opaque.Box[Decoder]
}

func (s *eventServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.start == nil { // ServeGuarded's handler: the request carries them
		b, _ := r.Context().Value(guardedKey{}).(opaque.Box[guardedReq])
		g := opaque.Get(b)
		s.fn.ServeEvents(w, r, g.start, g.dec)
		return
	}
	s.fn.ServeEvents(w, r, s.start(r), opaque.Get(s.dec))
}

// ServeGuarded serves r like ServeEvents, behind the App's event guards
// as EventHandler does, for adapters that receive an HTTP request for an
// event function inside a platform invocation (a Lambda function URL or
// API Gateway route, an Azure HTTP trigger) rather than on a route of
// their own. Without guards it is ServeEvents. The guarded handler is
// built once per function; s and dec travel with the request.
func (fn *Function) ServeGuarded(w http.ResponseWriter, r *http.Request, s Start, dec Decoder) {
	fn.guardedOnce.Do(func() {
		fn.guarded = fn.EventHandler(nil, nil)
	})
	if _, ok := fn.guarded.(*eventServer); ok { // no guards: nothing to carry
		fn.ServeEvents(w, r, s, dec)
		return
	}
	fn.guarded.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), guardedKey{}, opaque.Of(guardedReq{s, dec}))))
}

// guardedKey keys the Start and Decoder of a request ServeGuarded serves.
type guardedKey struct{}

type guardedReq struct {
	start Start
	dec   Decoder
}
