//go:build !(js && wasm)

package cloudflare

import (
	"context"
	"fmt"
)

// A KVNamespace is a Workers KV namespace binding. Outside Workers there is
// none: KV fails with ErrNoBinding.
type KVNamespace struct{ name string }

// KV returns the KV namespace bound as name; outside Workers it fails with
// ErrNoBinding.
func KV(name string) (*KVNamespace, error) {
	return nil, fmt.Errorf("%w: %s (KV namespaces exist on Cloudflare Workers only)", ErrNoBinding, name)
}

// Get fails: see KV.
func (kv *KVNamespace) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, kv.err()
}

// Put fails: see KV.
func (kv *KVNamespace) Put(context.Context, string, []byte, int) error { return kv.err() }

// Delete fails: see KV.
func (kv *KVNamespace) Delete(context.Context, string) error { return kv.err() }

func (kv *KVNamespace) err() error { return fmt.Errorf("%w: %s", ErrNoBinding, kv.name) }
