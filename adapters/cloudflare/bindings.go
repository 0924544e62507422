package cloudflare

import (
	"errors"
	"os"
)

// Env returns the Worker's string binding name (a var of wrangler.jsonc or
// a secret put with wrangler secret put): worker.mjs makes every string
// binding part of the program's environment, so that declared settings
// (core.App.Setting) read them as on every cloud. On other platforms it
// reads the process environment.
func Env(name string) (string, bool) { return os.LookupEnv(name) }

// ErrNoBinding is returned for a binding the Worker does not have, or on
// a platform other than Workers, which has none.
var ErrNoBinding = errors.New("cloudflare: no such binding")
