package driver

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/internal/invctx"
)

// invocationCtx carries an Invocation in the same allocation as the
// context that holds it, and the text of the id it was given, if any.
type invocationCtx struct {
	context.Context
	inv core.Invocation
	id  [36]byte
}

func (c *invocationCtx) Value(key any) any {
	if key == (invctx.Key{}) {
		return &c.inv
	}
	return c.Context.Value(key)
}

// WithInvocation returns a copy of ctx carrying a copy of *inv, which
// core.InvocationFrom reads back. An invocation without an ID (the
// platform gave none) gets a new one (NewID), held in the same allocation.
// Adapters call it once per invocation.
func WithInvocation(ctx context.Context, inv *core.Invocation) context.Context {
	c := &invocationCtx{Context: ctx, inv: *inv}
	if c.inv.ID == "" {
		putID(&c.id)
		c.inv.ID = unsafe.String(&c.id[0], len(c.id)) // c.id is never written again
	}
	return c
}

// NewID returns a new version 4 UUID, the id of an invocation the
// platform gave none. It is unique, not secret: see putID.
func NewID() string {
	var b [36]byte
	putID(&b)
	return string(b[:])
}

// The ids putID writes: a process-wide counter through a bijective mixer
// (splitmix64's), keyed by two random words drawn at start, so that ids
// repeat no more often than random ones, within a process or across
// processes. A random draw per id would cost a generator refill every few
// ids, on the path of every request.
var (
	idKey   = [2]uint64{rand.Uint64(), rand.Uint64()}
	idCount atomic.Uint64
)

// mix is splitmix64's finalizer: a bijection of 64-bit words that looks
// random.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// putID writes a new version 4 UUID in its text form to b.
func putID(b *[36]byte) {
	n := idCount.Add(1)
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], mix(idKey[0]+n))
	binary.LittleEndian.PutUint64(u[8:], mix(idKey[1]^n))
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	const digits = "0123456789abcdef"
	for i, c := range u {
		j := idPos[i]
		b[j], b[j+1] = digits[c>>4], digits[c&0xF]
	}
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
}

// idPos is where each byte of a UUID goes in its text form.
var idPos = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}
