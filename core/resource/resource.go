package resource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"

	"gocloud.dev/blob"
	"gocloud.dev/docstore"

	"github.com/polyfn/polyfn/core"
)

// ErrNoURL is wrapped by the error of opening a resource whose environment
// variable is unset where no in-memory default applies (a cloud adapter's
// build).
var ErrNoURL = errors.New("resource URL not set")

// Resources opens the resources one App declares, each once, on first
// use, and shares the handles between the App's functions. It is safe for
// concurrent use.
type Resources struct {
	app    *core.App
	lookup func(string) (string, bool)

	mu      sync.Mutex
	closed  bool
	pubs    map[string]*Publisher
	buckets map[string]*blob.Bucket
	tables  map[string]*docstore.Collection
}

// An Option configures Open.
type Option func(*Resources)

// WithLookup reads the resources' URLs with lookup instead of
// os.LookupEnv: tests use it to set them without the environment.
func WithLookup(lookup func(name string) (string, bool)) Option {
	return func(rs *Resources) { rs.lookup = lookup }
}

// Open returns the resources of app and adds a stop hook that closes them
// (Close). It opens nothing yet: each resource opens on first use, after
// the App has started.
func Open(app *core.App, opts ...Option) *Resources {
	rs := &Resources{app: app, lookup: os.LookupEnv, pubs: map[string]*Publisher{},
		buckets: map[string]*blob.Bucket{}, tables: map[string]*docstore.Collection{}}
	for _, o := range opts {
		o(rs)
	}
	app.OnStop(rs.Close)
	return rs
}

// declared returns the App's declaration of the resource of kind k named
// name.
func (rs *Resources) declared(k core.ResourceKind, name string) (core.Resource, error) {
	r, ok := rs.app.Resource(k, name)
	if !ok {
		return r, fmt.Errorf("resource: %s %s: %w by any function of the App (core.Uses)", k, name, core.ErrNoResource)
	}
	return r, nil
}

// urlOf returns r's URL, and "" for the in-memory default.
func (rs *Resources) urlOf(r core.Resource) (string, error) {
	v, _ := rs.lookup(r.EnvVar())
	if v == "" {
		if !rs.inMemory() {
			return "", fmt.Errorf("resource: %s: %s is not set (the manifests set it to the resource's URL): %w", r, r.EnvVar(), ErrNoURL)
		}
		return "", nil
	}
	if _, err := url.Parse(v); err != nil {
		return "", fmt.Errorf("resource: %s: %s is not a URL", r, r.EnvVar())
	}
	return v, nil
}

// Topic returns the publisher of the declared topic name.
func (rs *Resources) Topic(ctx context.Context, name string) (*Publisher, error) {
	return rs.publisher(ctx, core.ResourceTopic, name)
}

// Queue returns the publisher of the declared queue name.
func (rs *Resources) Queue(ctx context.Context, name string) (*Publisher, error) {
	return rs.publisher(ctx, core.ResourceQueue, name)
}

func (rs *Resources) publisher(ctx context.Context, k core.ResourceKind, name string) (*Publisher, error) {
	return handle(rs, k, name, rs.pubs, func(r core.Resource, u string) (*Publisher, error) {
		return openPublisher(ctx, rs.app, r, u)
	})
}

// Bucket returns the declared bucket name.
func (rs *Resources) Bucket(ctx context.Context, name string) (*blob.Bucket, error) {
	return handle(rs, core.ResourceBucket, name, rs.buckets, func(r core.Resource, u string) (*blob.Bucket, error) {
		if u == "" {
			return memoryBucket(), nil
		}
		return blob.OpenBucket(ctx, u)
	})
}

// Table returns the declared table name, keyed by its key field.
func (rs *Resources) Table(ctx context.Context, name string) (*docstore.Collection, error) {
	return handle(rs, core.ResourceTable, name, rs.tables, func(r core.Resource, u string) (*docstore.Collection, error) {
		if u == "" {
			return memoryTable(r.Key())
		}
		return docstore.OpenCollection(ctx, u)
	})
}

// handle returns the handle of the declared resource of kind k named
// name: the one opened already, or the one open returns for its URL ("":
// in memory), kept in opened.
func handle[T any](rs *Resources, k core.ResourceKind, name string, opened map[string]T,
	open func(r core.Resource, u string) (T, error)) (T, error) {
	var zero T
	r, err := rs.declared(k, name)
	if err != nil {
		return zero, err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if err := rs.check(); err != nil {
		return zero, err
	}
	if h, ok := opened[r.EnvVar()]; ok {
		return h, nil
	}
	u, err := rs.urlOf(r)
	if err != nil {
		return zero, err
	}
	h, err := open(r, u)
	if err != nil {
		return zero, fmt.Errorf("resource: %s: open %s: %w", r, r.EnvVar(), err)
	}
	opened[r.EnvVar()] = h
	return h, nil
}

func (rs *Resources) check() error {
	if rs.closed {
		return errors.New("resource: the App's resources are closed")
	}
	return nil
}

// Close closes every handle opened, after the messages being sent are
// sent, and refuses to open more. The App's stop hooks call it.
func (rs *Resources) Close(ctx context.Context) error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return nil
	}
	rs.closed = true
	var errs []error
	for _, p := range rs.pubs {
		errs = append(errs, p.Shutdown(ctx))
	}
	for _, b := range rs.buckets {
		errs = append(errs, b.Close())
	}
	for _, c := range rs.tables {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
