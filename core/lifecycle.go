package core

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
)

// lifecycle is what an App holds for start-up and shutdown: its declared
// settings and its hooks.
type lifecycle struct {
	mu       sync.Mutex
	settings []Setting
	start    []startHook
	stop     []stopHook
	started  bool
}

type startHook struct {
	at string // file:line of the OnStart call
	fn func(ctx context.Context, cfg Config) error
}

type stopHook struct {
	at string
	fn func(ctx context.Context) error
}

// caller returns "file.go:line" of the caller of the function that calls it.
func caller() string {
	_, file, line, ok := runtime.Caller(2)
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// OnStart adds a start hook: a function that adapters run once, before
// serving, with the values of the App's declared settings (see Setting and
// Config). Load configuration and open clients there, not in main: the
// build tool reads an App's declarations without running its hooks, so
// building needs no secrets and opens no connections. Hooks run in the
// order added; the first error stops start-up, and the adapter exits with
// it. A nil fn is ignored. Add hooks before handing the App to an adapter.
func (a *App) OnStart(fn func(ctx context.Context, cfg Config) error) {
	if fn == nil {
		return
	}
	a.life.mu.Lock()
	defer a.life.mu.Unlock()
	a.life.start = append(a.life.start, startHook{at: caller(), fn: fn})
}

// OnStop adds a stop hook: a function that adapters run once when the
// process shuts down (after the HTTP adapters drain their requests, on
// SIGTERM on Lambda), with a context that expires when the platform's grace
// period does. Flush buffers and close clients there. Stop hooks run in the
// reverse order of their addition, as deferred calls do, and only after a
// successful start. A nil fn is ignored.
func (a *App) OnStop(fn func(ctx context.Context) error) {
	if fn == nil {
		return
	}
	a.life.mu.Lock()
	defer a.life.mu.Unlock()
	a.life.stop = append(a.life.stop, stopHook{at: caller(), fn: fn})
}

// HasStopHooks reports whether the App has a stop hook, those its start
// hooks added included. Adapters whose platform stops a process without
// warning unless asked (Lambda sends SIGTERM only to a runtime that
// registered for it) ask only when there is something to run.
func (a *App) HasStopHooks() bool {
	a.life.mu.Lock()
	defer a.life.mu.Unlock()
	return len(a.life.stop) > 0
}

// ErrStarted is returned by App.Start on an App that has started and not
// stopped.
var ErrStarted = errors.New("polyfn: the app has started already")

// Start resolves the App's declared settings, reading each value with
// lookup (adapters pass os.LookupEnv; tests pass a map's lookup), and runs
// the start hooks in order with the resulting Config. Adapters call it
// once, before serving; a program that calls adapters.Run never calls it.
//
// An empty value counts as unset. When required settings have no value,
// Start runs no hook and returns an error wrapping ErrMissingSetting that
// names each of them. A hook's error or panic stops start-up; the error
// names where the hook was added ("start hook shop.go:42: ..."). Start
// returns ErrStarted when the App has started and not stopped.
func (a *App) Start(ctx context.Context, lookup func(name string) (string, bool)) error {
	a.life.mu.Lock()
	if a.life.started {
		a.life.mu.Unlock()
		return ErrStarted
	}
	settings := append([]Setting(nil), a.life.settings...)
	hooks := append([]startHook(nil), a.life.start...)
	a.life.mu.Unlock()

	cfg, err := resolve(settings, lookup)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if err := runHook(h.at, "start", func() error { return h.fn(ctx, cfg) }); err != nil {
			return err
		}
	}
	a.life.mu.Lock()
	a.life.started = true
	a.life.mu.Unlock()
	return nil
}

// Stop runs the stop hooks in reverse order, each once, when Start
// succeeded, and returns their errors joined; a panic in a hook becomes
// its error. Hooks that fail do not keep the later ones from running.
// Stop after a failed or missing Start, or a second Stop, does nothing.
func (a *App) Stop(ctx context.Context) error {
	a.life.mu.Lock()
	if !a.life.started {
		a.life.mu.Unlock()
		return nil
	}
	a.life.started = false
	hooks := append([]stopHook(nil), a.life.stop...)
	a.life.mu.Unlock()

	var errs []error
	for i := len(hooks) - 1; i >= 0; i-- {
		h := hooks[i]
		errs = append(errs, runHook(h.at, "stop", func() error { return h.fn(ctx) }))
	}
	return errors.Join(errs...)
}

// runHook calls fn, turning a panic into an error, and names the hook in
// the error.
func runHook(at, what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("polyfn: %s hook %s panicked: %v", what, at, r)
		}
	}()
	if err := fn(); err != nil {
		return fmt.Errorf("polyfn: %s hook %s: %w", what, at, err)
	}
	return nil
}
