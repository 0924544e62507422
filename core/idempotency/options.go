package idempotency

import "time"

// An Option configures the middleware New returns.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	ttl          time.Duration
	lockTimeout  time.Duration
	storeTimeout time.Duration
	key          KeyFunc
	checkPayload bool
	cacheSize    int
	now          func() time.Time
}

// Defaults of the options.
const (
	DefaultTTL          = time.Hour
	DefaultLockTimeout  = 5 * time.Minute
	DefaultStoreTimeout = 5 * time.Second
)

func newConfig(opts []Option) config {
	c := config{ttl: DefaultTTL, lockTimeout: DefaultLockTimeout, storeTimeout: DefaultStoreTimeout,
		key: SourceID, checkPayload: true, now: time.Now}
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

// WithTTL sets how long a completed record answers duplicates (default
// DefaultTTL, one hour). Choose it longer than the source's redelivery
// window: up to 24 hours for EventBridge, the retention period for queues
// and streams. A zero or negative d keeps the default.
func WithTTL(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.ttl = d
		}
	})
}

// WithLockTimeout sets how long an in-progress record holds its key when
// the invocation's context has no deadline (default DefaultLockTimeout,
// five minutes). With a deadline, the lock lapses at the deadline. A zero
// or negative d keeps the default.
func WithLockTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.lockTimeout = d
		}
	})
}

// WithStoreTimeout bounds the store writes made after the function ran
// (completing or releasing the record), which run even when the
// invocation's context is done (default DefaultStoreTimeout, five seconds).
// A zero or negative d keeps the default.
func WithStoreTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.storeTimeout = d
		}
	})
}

// WithKey sets the function that computes an event's key (default
// SourceID). A nil f keeps the default.
func WithKey(f KeyFunc) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.key = f
		}
	})
}

// WithPayloadCheck sets whether a duplicate whose data differs from the
// recorded run's (by hash) is refused with a permanent error wrapping
// ErrPayloadMismatch (true, the default), or treated as a duplicate
// (false).
func WithPayloadCheck(on bool) Option {
	return optionFunc(func(c *config) { c.checkPayload = on })
}

// WithCache keeps up to n completed records in the process, in front of
// the store, so that a duplicate delivered to the same process is answered
// without a store read. Zero (the default) or a negative n keeps none.
func WithCache(n int) Option {
	return optionFunc(func(c *config) { c.cacheSize = max(n, 0) })
}

// WithClock sets the clock records are timed with (default time.Now), for
// tests. A nil now keeps the default.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.now = now
		}
	})
}
