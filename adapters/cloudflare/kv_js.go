//go:build js && wasm

package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// A KVNamespace is a Workers KV namespace binding.
type KVNamespace struct {
	name string
	v    js.Value
}

// KV returns the KV namespace bound as name (kv_namespaces in
// wrangler.jsonc). It fails with ErrNoBinding when the Worker has no such
// binding.
func KV(name string) (*KVNamespace, error) {
	env := js.Global().Get("__polyfnEnv")
	if env.Type() != js.TypeObject {
		return nil, fmt.Errorf("%w: %s (the Worker's bindings are not available yet)", ErrNoBinding, name)
	}
	v := env.Get(name)
	if v.Type() != js.TypeObject || v.Get("get").Type() != js.TypeFunction {
		return nil, fmt.Errorf("%w: %s is not a KV namespace", ErrNoBinding, name)
	}
	return &KVNamespace{name: name, v: v}, nil
}

// Get returns the value of key; ok is false when the key has none.
func (kv *KVNamespace) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	v, err := await(ctx, kv.v.Call("get", key, "arrayBuffer"))
	if err != nil {
		return nil, false, fmt.Errorf("cloudflare: KV %s: get %q: %w", kv.name, key, err)
	}
	if v.IsNull() || v.IsUndefined() {
		return nil, false, nil
	}
	return bytesOf(js.Global().Get("Uint8Array").New(v)), true, nil
}

// Put sets key to value; ttlSeconds > 0 expires it after that long
// (Workers KV's minimum is 60).
func (kv *KVNamespace) Put(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	opts := js.Global().Get("Object").New()
	if ttlSeconds > 0 {
		opts.Set("expirationTtl", ttlSeconds)
	}
	if _, err := await(ctx, kv.v.Call("put", key, toJS(value), opts)); err != nil {
		return fmt.Errorf("cloudflare: KV %s: put %q: %w", kv.name, key, err)
	}
	return nil
}

// Delete removes key.
func (kv *KVNamespace) Delete(ctx context.Context, key string) error {
	if _, err := await(ctx, kv.v.Call("delete", key)); err != nil {
		return fmt.Errorf("cloudflare: KV %s: delete %q: %w", kv.name, key, err)
	}
	return nil
}

// await waits for promise p, or for ctx. A promise still pending when ctx
// ends keeps its two callbacks: releasing them would make its settlement
// fail.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	arg := func(args []js.Value) js.Value {
		if len(args) == 0 {
			return js.Undefined()
		}
		return args[0]
	}
	then := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- result{v: arg(args)}; return nil })
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: errors.New(js.Global().Get("String").Invoke(arg(args)).String())}
		return nil
	})
	p.Call("then", then, catch)
	select {
	case r := <-ch:
		then.Release()
		catch.Release()
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), context.Cause(ctx)
	}
}
