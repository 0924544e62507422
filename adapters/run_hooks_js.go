//go:build !polyfn.describe && js && wasm

package adapters

import "context"

// startContext is the context of the start hooks. A WebAssembly program
// (Cloudflare Workers) receives no signals: watching for them would only
// link os/signal and start its goroutine.
func startContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
